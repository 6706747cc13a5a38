import { jsonlMetadata } from "./backends/jsonl/metadata.js";
import { mlflowMetadata } from "./backends/mlflow/metadata.js";
import { sqliteMetadata } from "./backends/sqlite/metadata.js";
import { tensorboardMetadata } from "./backends/tensorboard/metadata.js";
import { BUILTIN_VALIDATORS } from "./builtin-validators.js";
import { environmentMetadata } from "./collectors/environment/metadata.js";
import { gitMetadata } from "./collectors/git/metadata.js";
import { processMetadata } from "./collectors/process/metadata.js";
import { systemMetadata } from "./collectors/system/metadata.js";
import { registerPrecompiledValidators } from "./core/config/config-validator.js";
import type { PluginClass, PluginMetadata } from "./core/plugin-api.js";
import type { PluginRegistry } from "./plugins/registry/plugin-registry.js";

/** A built-in plugin: its metadata (cheap) and how to import its class (on activation only). */
export interface BuiltinPlugin {
  /** Metadata. */
  metadata: PluginMetadata;
  /** Imports the class. */
  load: () => Promise<PluginClass>;
}

/** The plugins that ship with Tracelet, registered through the public API like any other. */
export const BUILTIN_PLUGINS: readonly BuiltinPlugin[] = [
  { metadata: jsonlMetadata, load: async () => (await import("./backends/jsonl/jsonl-backend.js")).JsonlBackend },
  {
    metadata: tensorboardMetadata,
    load: async () => (await import("./backends/tensorboard/tensorboard-backend.js")).TensorboardBackend,
  },
  // Its client is an optional peer dependency: loading checks it (TRACELET_ERR_DEPENDENCY_MISSING).
  {
    metadata: sqliteMetadata,
    load: async () => (await import("./backends/sqlite/sqlite-backend.js")).loadSqliteBackend(),
  },
  { metadata: mlflowMetadata, load: async () => (await import("./backends/mlflow/mlflow-backend.js")).MlflowBackend },
  {
    metadata: systemMetadata,
    load: async () => (await import("./collectors/system/system-collector.js")).SystemCollector,
  },
  {
    metadata: processMetadata,
    load: async () => (await import("./collectors/process/process-collector.js")).ProcessCollector,
  },
  { metadata: gitMetadata, load: async () => (await import("./collectors/git/git-collector.js")).GitCollector },
  {
    metadata: environmentMetadata,
    load: async () => (await import("./collectors/environment/environment-collector.js")).EnvironmentCollector,
  },
];

/**
 * Registers the built-in plugins on a registry (lazily: nothing is imported until used), through
 * its public API like any other plugin.
 *
 * @param manager - the manager
 */
export function registerBuiltins(manager: PluginRegistry): void {
  registerPrecompiledValidators(BUILTIN_VALIDATORS);
  for (const plugin of BUILTIN_PLUGINS) {
    if (!manager.getPlugin(plugin.metadata.type, plugin.metadata.name))
      manager.registerLazyPlugin(plugin.metadata, plugin.load);
  }
}
