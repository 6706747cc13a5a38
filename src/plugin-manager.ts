import { registerBuiltins } from "./builtins.js";
import { PluginRegistry, type PluginRegistryOptions } from "./plugins/registry/plugin-registry.js";

/** Options of {@link PluginManager}. */
export interface PluginManagerOptions extends PluginRegistryOptions {
  /**
   * Register Tracelet's built-in plugins (jsonl, tensorboard, sqlite, mlflow, system, process,
   * git, environment; imported on activation only). Default true; false gives a manager that
   * knows only what is registered or discovered.
   */
  builtins?: boolean;
}

/**
 * Finds, registers and hands out plugins: the {@link PluginRegistry} with Tracelet's built-in
 * plugins handed to it (the composition root: the registry itself never imports them).
 *
 * @example
 * ```ts
 * const manager = new PluginManager({ cwd: process.cwd() });
 * const { plugins, problems } = await manager.discoverPlugins();
 * manager.listPlugins("backend");
 * ```
 */
export class PluginManager extends PluginRegistry {
  /**
   * @param options - cwd, timeouts, logger, quarantine threshold, whether to register built-ins
   * @throws TraceletError `TRACELET_ERR_OPTION_INVALID` for a deadline that is not a positive number
   */
  constructor(options: PluginManagerOptions = {}) {
    super(options);
    if (options.builtins !== false) registerBuiltins(this);
  }
}
