import type { Logger } from "pino";
import { registerBuiltins } from "../../builtins.js";
import { createHooks } from "../../core/hooks.js";
import type { PluginHost } from "../../core/lifecycle/plugin-host.js";
import { resolveTimeouts } from "../../core/lifecycle/timeouts.js";
import { createLogger } from "../../core/logger.js";
import type { PluginStatus, Timeouts } from "../../core/types.js";
import { effectiveSchema, type RunContext } from "./activate.js";
import { type PluginOpResult, resultOf, stopHost } from "./host-control.js";
import { LivePlugins } from "./live-plugins.js";
import { type LoadAllOptions, loadPlugins, standaloneIdentity } from "./load-all.js";
import { PluginCatalog } from "./plugin-catalog.js";
import type { PluginManagerOptions } from "./plugin-manager-options.js";
import type { PluginRecord } from "./plugin-record.js";

export type { PluginManagerOptions };

/**
 * Finds, registers and hands out plugins.
 *
 * @example
 * ```ts
 * const manager = new PluginManager({ cwd: process.cwd() });
 * const { plugins, problems } = await manager.discoverPlugins();
 * manager.listPlugins("backend");
 * ```
 */
export class PluginManager extends PluginCatalog {
  /** Deadlines of plugin lifecycle calls. */
  readonly timeouts: Timeouts;
  /** The manager's logger. */
  readonly logger: Logger;
  /** Failures in a row after which a plugin is quarantined. */
  readonly quarantineAfter: number | undefined;
  private readonly live = new LivePlugins();

  /**
   * @param options - cwd, timeouts, logger, quarantine threshold, whether to register built-ins
   * @throws TraceletError `TRACELET_ERR_OPTION_INVALID` for a deadline that is not a positive number
   */
  constructor(options: PluginManagerOptions = {}) {
    super(options.cwd ?? process.cwd());
    resolveTimeouts(options.timeouts);
    this.timeouts = { ...options.timeouts };
    this.logger = options.logger ?? createLogger();
    this.quarantineAfter = options.quarantineAfter;
    if (options.builtins !== false) registerBuiltins(this);
  }

  /**
   * Loads plugins outside a run (or for a long-lived host): each is resolved, its config
   * validated, its class instantiated, then all are initialized and started in dependency
   * order. One plugin's failure never stops the others.
   *
   * @param configs - config by plugin name (`undefined` for none)
   * @param options - the identity the plugins see (default: project `"default"`, a new run id)
   * @returns one result per plugin, in the order given
   * @example
   * ```ts
   * const results = await manager.loadAll({ jsonl: { dir: "./runs" }, broken: {} });
   * results.filter((r) => !r.ok); // [{ name: "broken", ok: false, state: "failed", error: {...} }]
   * ```
   */
  loadAll(configs: Readonly<Record<string, unknown>>, options: LoadAllOptions = {}): Promise<PluginOpResult[]> {
    return loadPlugins(configs, {
      resolve: (name) => this.resolve(name),
      live: this.live,
      run: {
        identity: standaloneIdentity(this.cwd, options.run),
        hooks: createHooks(),
        logger: this.logger,
        timeouts: resolveTimeouts(this.timeouts),
        quarantineAfter: this.quarantineAfter,
      },
    });
  }

  /**
   * @internal Adopts the plugins of a run started with this manager, so that the management
   * operations act on them; also applies `disablePlugin` calls made before the run.
   */
  adoptRun(records: readonly PluginRecord[], hosts: readonly PluginHost[], run: RunContext): void {
    this.live.adopt(records, hosts, run);
  }

  /**
   * Stops a plugin and sets it aside: it receives no calls until enabled. A plugin that is not
   * loaded yet is created disabled by the next run.
   *
   * @param name - plugin name
   * @returns the result
   */
  disablePlugin(name: string): Promise<PluginOpResult> {
    return this.live.disable(name);
  }

  /**
   * Brings a disabled plugin back, with a fresh instance and its current config.
   *
   * @param name - plugin name
   * @returns the result
   * @throws TraceletError `TRACELET_ERR_DEPENDENCY_FAILED` when a dependency is not started
   */
  enablePlugin(name: string): Promise<PluginOpResult> {
    return this.live.enable(name);
  }

  /**
   * Stops a loaded plugin and drops its instance (state `available`).
   *
   * @param name - plugin name
   * @returns the result
   * @throws TraceletError `TRACELET_ERR_PLUGIN_NOT_FOUND` when it is not loaded
   */
  unloadPlugin(name: string): Promise<PluginOpResult> {
    return this.live.unload(name);
  }

  /**
   * Stops a loaded plugin and starts a fresh instance of it, with the same config or a new one.
   *
   * @param name - plugin name
   * @param config - a new config (validated first; an invalid one leaves the plugin as it was)
   * @returns the result
   * @throws TraceletError `TRACELET_ERR_PLUGIN_NOT_FOUND`, `TRACELET_ERR_CONFIG_INVALID`,
   *   `TRACELET_ERR_ILLEGAL_TRANSITION` (a disabled plugin is enabled, not reloaded)
   */
  reloadPlugin(name: string, config?: unknown): Promise<PluginOpResult> {
    return this.live.reload(name, config);
  }

  /**
   * Hot-updates a loaded plugin's config. The new config is validated first: an invalid one
   * throws and the old one stays. A started plugin implementing `onConfigUpdate(config)` gets
   * it in place (`mode: "hot"`; if that call fails the old config is kept); any other started
   * plugin is re-created and re-initialized with it (`mode: "reinitialized"`); a plugin that is
   * not running keeps it for its next start (`mode: "stored"`).
   *
   * @param name - plugin name
   * @param config - the complete new config
   * @returns the result
   * @throws TraceletError `TRACELET_ERR_CONFIG_INVALID` listing every problem,
   *   `TRACELET_ERR_PLUGIN_NOT_FOUND`
   */
  updatePluginConfig(name: string, config: unknown): Promise<PluginOpResult> {
    return this.live.updateConfig(name, config);
  }

  /**
   * A loaded plugin's current config, with secret properties shown as `"[redacted]"`.
   *
   * @param name - plugin name
   * @returns the config
   * @throws TraceletError `TRACELET_ERR_PLUGIN_NOT_FOUND`
   */
  getPluginConfig(name: string): Record<string, unknown> {
    return this.live.config(name);
  }

  /**
   * A known plugin's config schema (for a collector, including `intervalMs`).
   *
   * @param name - plugin name
   * @returns the schema, or undefined when it has none
   * @throws TraceletError `TRACELET_ERR_PLUGIN_NOT_FOUND`
   */
  getPluginConfigSchema(name: string): Record<string, unknown> | undefined {
    return effectiveSchema(this.resolve(name));
  }

  /**
   * The status of one loaded plugin, or of all: state, the engine's stats (calls, failures,
   * time per hook, consecutive failures), the last error, and the plugin's own `getStatus()`.
   *
   * @param name - plugin name (default: every loaded plugin)
   * @returns the statuses
   * @throws TraceletError `TRACELET_ERR_PLUGIN_NOT_FOUND`
   */
  getPluginStatus(name?: string): PluginStatus[] {
    return this.live.status(name);
  }

  /**
   * Stops every loaded plugin in reverse load order (each under its deadline).
   *
   * @returns one result per plugin
   */
  async stopAll(): Promise<PluginOpResult[]> {
    const results: PluginOpResult[] = [];
    for (const host of this.live.hosts().reverse()) {
      const ok = await stopHost(host);
      results.push(resultOf(host, ok));
    }
    return results;
  }
}
