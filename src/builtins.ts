import type { ValidateFunction } from "ajv";
import { CONFIG_VALIDATOR as jsonlValidator } from "./backends/jsonl/config-validator.generated.js";
import { jsonlMetadata } from "./backends/jsonl/metadata.js";
import { CONFIG_VALIDATOR as mlflowValidator } from "./backends/mlflow/config-validator.generated.js";
import { mlflowMetadata } from "./backends/mlflow/metadata.js";
import { CONFIG_VALIDATOR as sqliteValidator } from "./backends/sqlite/config-validator.generated.js";
import { sqliteMetadata } from "./backends/sqlite/metadata.js";
import { CONFIG_VALIDATOR as tensorboardValidator } from "./backends/tensorboard/config-validator.generated.js";
import { tensorboardMetadata } from "./backends/tensorboard/metadata.js";
import { CONFIG_VALIDATOR as environmentValidator } from "./collectors/environment/config-validator.generated.js";
import { environmentMetadata } from "./collectors/environment/metadata.js";
import { CONFIG_VALIDATOR as gitValidator } from "./collectors/git/config-validator.generated.js";
import { gitMetadata } from "./collectors/git/metadata.js";
import { CONFIG_VALIDATOR as processValidator } from "./collectors/process/config-validator.generated.js";
import { processMetadata } from "./collectors/process/metadata.js";
import { CONFIG_VALIDATOR as systemValidator } from "./collectors/system/config-validator.generated.js";
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
  /**
   * The precompiled validator of its config schema with the schema's key, generated beside the
   * plugin by scripts/gen-builtin-validators.mjs (a run using only built-ins never loads ajv).
   */
  validator: readonly [key: string, validate: ValidateFunction];
}

/** The plugins that ship with Tracelet, registered through the public API like any other. */
export const BUILTIN_PLUGINS: readonly BuiltinPlugin[] = [
  {
    metadata: jsonlMetadata,
    validator: jsonlValidator,
    load: async () => (await import("./backends/jsonl/jsonl-backend.js")).JsonlBackend,
  },
  {
    metadata: tensorboardMetadata,
    validator: tensorboardValidator,
    load: async () => (await import("./backends/tensorboard/tensorboard-backend.js")).TensorboardBackend,
  },
  // Its client is an optional peer dependency: loading checks it (TRACELET_ERR_DEPENDENCY_MISSING).
  {
    metadata: sqliteMetadata,
    validator: sqliteValidator,
    load: async () => (await import("./backends/sqlite/sqlite-backend.js")).loadSqliteBackend(),
  },
  {
    metadata: mlflowMetadata,
    validator: mlflowValidator,
    load: async () => (await import("./backends/mlflow/mlflow-backend.js")).MlflowBackend,
  },
  {
    metadata: systemMetadata,
    validator: systemValidator,
    load: async () => (await import("./collectors/system/system-collector.js")).SystemCollector,
  },
  {
    metadata: processMetadata,
    validator: processValidator,
    load: async () => (await import("./collectors/process/process-collector.js")).ProcessCollector,
  },
  {
    metadata: gitMetadata,
    validator: gitValidator,
    load: async () => (await import("./collectors/git/git-collector.js")).GitCollector,
  },
  {
    metadata: environmentMetadata,
    validator: environmentValidator,
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
  registerPrecompiledValidators(new Map(BUILTIN_PLUGINS.map((p) => p.validator)));
  for (const plugin of BUILTIN_PLUGINS) {
    if (!manager.getPlugin(plugin.metadata.type, plugin.metadata.name))
      manager.registerLazyPlugin(plugin.metadata, plugin.load);
  }
}
