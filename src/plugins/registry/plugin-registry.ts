import { resolve as resolvePath } from "node:path";
import type { Logger } from "pino";
import { redactConfig } from "../../core/config/redact.js";
import { TraceletError } from "../../core/errors.js";
import { createHooks } from "../../core/hooks.js";
import { forceCleanupAll } from "../../core/lifecycle/force-cleanup.js";
import type { PluginHost } from "../../core/lifecycle/plugin-host.js";
import { bringUp, stopPlugin } from "../../core/lifecycle/run-plugins.js";
import { resolveTimeouts } from "../../core/lifecycle/timeouts.js";
import { createLogger } from "../../core/logger.js";
import type { PluginClass, PluginMetadata } from "../../core/plugin-api.js";
import { createRunId } from "../../core/run-id.js";
import type {
  PluginErrorInfo,
  PluginState,
  PluginStatus,
  PluginType,
  RunIdentity,
  Timeouts,
} from "../../core/types.js";
import { closestName } from "../../core/util/did-you-mean.js";
import { activatePlugin, effectiveSchema, type RunContext, validatePluginConfig } from "./activate.js";
import { type DiscoverOptions, type DiscoveryReport, discover } from "./discovery/discover.js";
import { metadataOf, recordOf } from "./hand-registration.js";
import { instantiate } from "./instantiate.js";
import { orderByDependencies } from "./order.js";
import type { PluginRecord } from "./plugin-record.js";

/** Options of {@link PluginRegistry}. */
export interface PluginRegistryOptions {
  /** Where the project is looked for (default `process.cwd()`). */
  cwd?: string;
  /** Deadlines of plugin lifecycle calls. */
  timeouts?: Timeouts;
  /** Logger (default: Tracelet's root logger). */
  logger?: Logger;
  /** Failures in a row (collect, delivery, any call) after which a plugin is quarantined (default 5). */
  quarantineAfter?: number;
}

/** Options of {@link PluginRegistry.loadAll}. */
export interface LoadAllOptions {
  /** Parts of the identity the plugins see. */
  run?: Partial<RunIdentity>;
}

/** The outcome of one management operation on one plugin. */
export interface PluginOpResult {
  /** Plugin name. */
  name: string;
  /** Whether the plugin ended where the operation wanted it. */
  ok: boolean;
  /** Its state afterwards. */
  state: PluginState;
  /** How a config update was applied (`updatePluginConfig` only). */
  mode?: "hot" | "reinitialized" | "stored";
  /** Why it failed. */
  error?: PluginErrorInfo;
}

/** A loaded plugin: its record, its host, and what it shares with the others of its run. */
interface Live {
  record: PluginRecord;
  host: PluginHost;
  run: RunContext;
}

const key = (type: PluginType, name: string): string => `${type}:${name}`;

function resultOf(host: PluginHost, ok: boolean): PluginOpResult {
  const status = host.status();
  const result: PluginOpResult = { name: host.name, ok, state: host.state };
  if (!ok && status.lastError) result.error = status.lastError;
  return result;
}

function failed(name: string, error: unknown): PluginOpResult {
  const e = error as TraceletError;
  return { name, ok: false, state: "failed", error: { code: e.code, hook: "load", message: e.message } };
}

function requireState(host: PluginHost, operation: string, allowed: readonly PluginState[]): void {
  if (allowed.includes(host.state)) return;
  throw new TraceletError(
    "TRACELET_ERR_ILLEGAL_TRANSITION",
    `Cannot ${operation} plugin "${host.name}" while it is "${host.state}".`,
    { details: { plugin: host.name, state: host.state, operation } },
  );
}

// A manager operation leaves the plugin `stopped` (not `failed`) when there was nothing to stop;
// a lifecycle-aware plugin whose stop failed is force-cleaned.
async function stopForOperation(host: PluginHost): Promise<boolean> {
  const outcome = await stopPlugin(host);
  if (!outcome) {
    if (host.state === "failed") host.transition("stopped");
    return true;
  }
  if (!outcome.ok) forceCleanupAll([host], host.logger);
  return outcome.ok;
}

// Initializes and starts plugins through a private set of hooks (the run's own were fired once,
// at its start) and the plugins' own deadlines.
async function bringUpAlone(hosts: readonly PluginHost[], run: RunIdentity): Promise<void> {
  await bringUp(hosts, createHooks(), run, {});
}

/**
 * An identity for plugins loaded outside a run.
 *
 * @param cwd - the project directory
 * @param given - parts to keep
 * @returns a frozen identity (project `"default"`, a new run id, unless given)
 */
function standaloneIdentity(cwd: string, given: Partial<RunIdentity> = {}): RunIdentity {
  const runId = given.runId ?? createRunId();
  const project = given.project ?? "default";
  return Object.freeze({
    project,
    name: runId,
    runId,
    role: "main",
    workerId: 0,
    workerCount: 1,
    runDir: resolvePath(cwd, "tracelet-runs", project, runId),
    ...given,
    tags: Object.freeze({ ...given.tags }),
  });
}

/**
 * The plugin registry: every plugin it knows (discovered in node_modules, registered by hand
 * or lazily), how one is looked up for a run, and the plugins it currently holds (those of its
 * latest run, or of `loadAll`) with the operations on them: enable, disable, unload, reload,
 * hot config update, status. It knows no specific plugin: Tracelet's built-ins are handed to
 * it by the composition root (`PluginManager`, the registry with the built-ins).
 *
 * @example
 * ```ts
 * const registry = new PluginRegistry({ cwd: process.cwd() });
 * const { plugins, problems } = await registry.discoverPlugins();
 * registry.listPlugins("backend");
 * ```
 */
export class PluginRegistry {
  /** The project directory discovery starts from. */
  readonly cwd: string;
  /** Deadlines of plugin lifecycle calls. */
  readonly timeouts: Timeouts;
  /** The manager's logger. */
  readonly logger: Logger;
  /** Failures in a row after which a plugin is quarantined. */
  readonly quarantineAfter: number | undefined;
  /** Built-in and hand-registered plugins: they win over discovered ones of the same name. */
  private readonly fixed = new Map<string, PluginRecord>();
  /** Every discovered candidate, whatever its state; replaced by each discovery. */
  private discovered: PluginRecord[] = [];
  private lastReport: DiscoveryReport | undefined;
  private readonly live = new Map<string, Live>();
  /** Names disabled before they were loaded: a run creates them `disabled`. */
  private readonly disabledNames = new Set<string>();

  /**
   * @param options - cwd, timeouts, logger, quarantine threshold
   * @throws TraceletError `TRACELET_ERR_OPTION_INVALID` for a deadline that is not a positive number
   */
  constructor(options: PluginRegistryOptions = {}) {
    this.cwd = options.cwd ?? process.cwd();
    resolveTimeouts(options.timeouts);
    this.timeouts = { ...options.timeouts };
    this.logger = options.logger ?? createLogger();
    this.quarantineAfter = options.quarantineAfter;
  }

  /**
   * Scans the project's node_modules for plugin packages. Reads manifests only; runs no
   * plugin code. A bad package never stops discovery of the others.
   *
   * @param options - user-level plugin locations and whether to use the on-disk cache
   * @returns every candidate and every problem
   */
  async discoverPlugins(options: Pick<DiscoverOptions, "userPluginDirs" | "cache"> = {}): Promise<DiscoveryReport> {
    const known = new Map([...this.fixed.values()].map((r): [string, string] => [r.name, r.version]));
    // Loaded with the library: a start with a valid cache runs nothing else, and loading a
    // chunk of its own would cost more than the check. The scan and its checks (semver, the
    // manifest validator) load only when a scan is needed (see discover-fresh).
    const report = await discover({ ...options, cwd: this.cwd, known });
    this.discovered = report.plugins;
    this.lastReport = report;
    return report;
  }

  /** The last discovery report, if discovery ran. */
  get discovery(): DiscoveryReport | undefined {
    return this.lastReport;
  }

  /**
   * Every known plugin (registered and built in first, then discovered), optionally of one type.
   *
   * @param type - filter
   * @returns the records
   */
  listPlugins(type?: PluginType): PluginRecord[] {
    const all = [...this.fixed.values(), ...this.discovered];
    return type ? all.filter((r) => r.type === type) : all;
  }

  /**
   * One plugin by type and name: a registered one, else the usable discovered one, else the
   * refused candidate.
   *
   * @param type - plugin type
   * @param name - plugin name
   * @returns the record, or undefined
   */
  getPlugin(type: PluginType, name: string): PluginRecord | undefined {
    const fixed = this.fixed.get(key(type, name));
    if (fixed) return fixed;
    const candidates = this.discovered.filter((r) => r.type === type && r.name === name);
    return candidates.find((r) => r.state === "available") ?? candidates.find((r) => r.state === "refused");
  }

  /**
   * Registers a class by hand. Its metadata comes from the argument, a static `metadata`, or
   * `getMetadata()`.
   *
   * @param cls - the plugin class
   * @param metadata - name, type and the rest
   * @returns the record
   * @throws TraceletError `TRACELET_ERR_MANIFEST_INVALID` without a name and type
   */
  registerPlugin(cls: PluginClass, metadata?: Partial<PluginMetadata>): PluginRecord {
    const record = recordOf(async () => cls, metadataOf(cls, metadata), "registered");
    this.fixed.set(key(record.type, record.name), record);
    return record;
  }

  /**
   * Registers a plugin whose class is imported only when a run activates it (how the
   * built-ins keep start-up cheap).
   *
   * @param metadata - complete metadata
   * @param load - imports the class
   * @returns the record
   */
  registerLazyPlugin(metadata: PluginMetadata, load: () => Promise<PluginClass>): PluginRecord {
    let cached: Promise<PluginClass> | undefined;
    const record = recordOf(
      () => {
        cached ??= load();
        return cached;
      },
      metadata,
      "builtin",
    );
    this.fixed.set(key(record.type, record.name), record);
    return record;
  }

  /**
   * The usable plugin of that name, for a run; refused ones throw their refusal's code.
   *
   * @param name - plugin name
   * @param type - expected type
   * @returns the record
   * @throws TraceletError the refusal's code, or `TRACELET_ERR_PLUGIN_NOT_FOUND`
   */
  resolve(name: string, type?: PluginType): PluginRecord {
    const record = type
      ? this.getPlugin(type, name)
      : (this.getPlugin("backend", name) ?? this.getPlugin("collector", name));
    if (!record) {
      const suggestion = closestName(
        name,
        this.listPlugins(type).map((r) => r.name),
      );
      const hint = suggestion ? ` Did you mean "${suggestion}"?` : "";
      throw new TraceletError(
        "TRACELET_ERR_PLUGIN_NOT_FOUND",
        `No ${type ?? "plugin"} named "${name}" is known.${hint}`,
        { details: { plugin: name, type, ...(suggestion ? { suggestion } : {}) } },
      );
    }
    if (record.state === "refused" && record.problem) {
      throw new TraceletError(record.problem.code, record.problem.message, {
        details: { plugin: name, package: record.packageName },
      });
    }
    return record;
  }

  /**
   * Loads plugins outside a run (or for a long-lived host): each is resolved, its config
   * validated, its class instantiated, then all are initialized and started in dependency
   * order. One plugin's failure never stops the others; a plugin whose dependency failed to
   * load is not started (`TRACELET_ERR_DEPENDENCY_FAILED` naming both).
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
  async loadAll(configs: Readonly<Record<string, unknown>>, options: LoadAllOptions = {}): Promise<PluginOpResult[]> {
    const run: RunContext = {
      identity: standaloneIdentity(this.cwd, options.run),
      hooks: createHooks(),
      logger: this.logger,
      timeouts: resolveTimeouts(this.timeouts),
      quarantineAfter: this.quarantineAfter,
    };
    const results = new Map<string, PluginOpResult>();
    const records: PluginRecord[] = [];
    for (const name of Object.keys(configs)) {
      try {
        records.push(this.resolve(name));
      } catch (error) {
        results.set(name, failed(name, error));
      }
    }
    let ordered: PluginRecord[] = [];
    try {
      ordered = orderByDependencies(records);
    } catch (error) {
      for (const r of records) results.set(r.name, failed(r.name, error));
    }
    const hosts: PluginHost[] = [];
    const loaded: PluginRecord[] = [];
    for (const record of ordered) {
      try {
        hosts.push(await activatePlugin(record, configs[record.name], run));
        loaded.push(record);
      } catch (error) {
        results.set(record.name, failed(record.name, error));
      }
    }
    this.adoptRun(loaded, hosts, run);
    for (const host of hosts) {
      const dep = host.dependsOn.find((d) => results.get(d)?.ok === false);
      if (dep === undefined) continue;
      const error = new TraceletError(
        "TRACELET_ERR_DEPENDENCY_FAILED",
        `Plugin "${host.name}" was not started because its dependency "${dep}" failed to load.`,
        { details: { plugin: host.name, dependency: dep } },
      );
      host.recordFailure("load", error);
      host.transition("failed");
    }
    await bringUpAlone(
      hosts.filter((h) => h.state === "loaded"),
      run.identity,
    );
    for (const host of hosts)
      results.set(host.name, resultOf(host, host.state === "started" || host.state === "disabled"));
    return Object.keys(configs).map((n) => results.get(n) as PluginOpResult);
  }

  /**
   * @internal Adopts the plugins of a run started with this manager (replacing earlier ones of
   * the same name), so that the management operations act on them; also applies
   * `disablePlugin` calls made before the run.
   */
  adoptRun(records: readonly PluginRecord[], hosts: readonly PluginHost[], run: RunContext): void {
    hosts.forEach((host, i) => {
      this.live.set(host.name, { record: records[i] as PluginRecord, host, run });
      if (this.disabledNames.has(host.name) && host.state === "loaded") host.transition("disabled");
    });
  }

  /**
   * Stops a plugin and sets it aside: it receives no calls until enabled. A plugin that is not
   * loaded yet is created disabled by the next run.
   *
   * @param name - plugin name
   * @returns the result
   */
  async disablePlugin(name: string): Promise<PluginOpResult> {
    this.disabledNames.add(name);
    const live = this.live.get(name);
    if (!live) return { name, ok: true, state: "disabled" };
    const stopped = await stopForOperation(live.host);
    live.host.transition("disabled");
    return resultOf(live.host, stopped);
  }

  /**
   * Brings a disabled plugin back, with a fresh instance and its current config.
   *
   * @param name - plugin name
   * @returns the result
   * @throws TraceletError `TRACELET_ERR_DEPENDENCY_FAILED` when a dependency is not started
   */
  async enablePlugin(name: string): Promise<PluginOpResult> {
    this.disabledNames.delete(name);
    const live = this.live.get(name);
    if (!live) return { name, ok: true, state: "available" };
    if (live.host.state !== "disabled") return resultOf(live.host, true);
    return this.restart(live, live.host.config);
  }

  /**
   * Stops a loaded plugin and drops its instance (state `available`).
   *
   * @param name - plugin name
   * @returns the result
   * @throws TraceletError `TRACELET_ERR_PLUGIN_NOT_FOUND` when it is not loaded
   */
  async unloadPlugin(name: string): Promise<PluginOpResult> {
    const live = this.loaded(name);
    const stopped = await stopForOperation(live.host);
    live.host.transition("available");
    this.live.delete(name);
    return resultOf(live.host, stopped);
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
  async reloadPlugin(name: string, config?: unknown): Promise<PluginOpResult> {
    const live = this.loaded(name);
    requireState(live.host, "reload", ["loaded", "initialized", "started", "stopped", "failed", "quarantined"]);
    const next = config === undefined ? live.host.config : validatePluginConfig(live.record, config);
    await stopForOperation(live.host);
    return this.restart(live, next);
  }

  /**
   * Hot-updates a loaded plugin's config. This is the one place the config-update rule lives:
   * the new config is validated first (an invalid one throws and the old one stays); a plugin
   * that is not running keeps it for its next start (`mode: "stored"`); a started plugin
   * implementing `onConfigUpdate(config)` takes it in place (`mode: "hot"`; if that call fails
   * the old config is kept); any other started plugin is re-created and re-initialized with it
   * (`mode: "reinitialized"`).
   *
   * @param name - plugin name
   * @param config - the complete new config (defaults are applied again)
   * @returns the result with its `mode`
   * @throws TraceletError `TRACELET_ERR_CONFIG_INVALID` listing every problem,
   *   `TRACELET_ERR_PLUGIN_NOT_FOUND`
   */
  async updatePluginConfig(name: string, config: unknown): Promise<PluginOpResult> {
    const { host, record } = this.loaded(name);
    const next = validatePluginConfig(record, config);
    if (host.state !== "started") {
      host.config = next;
      return { ...resultOf(host, true), mode: "stored" };
    }
    const hot = host.instance.onConfigUpdate;
    if (typeof hot !== "function") return { ...(await this.reloadPlugin(name, config)), mode: "reinitialized" };
    const previous = host.config;
    host.config = next;
    const outcome = await host.call("configUpdate", host.timeoutFor("configUpdate"), () =>
      hot.call(host.instance, next),
    );
    if (!outcome.ok) host.config = previous;
    return { ...resultOf(host, outcome.ok), mode: "hot" };
  }

  /**
   * A loaded plugin's current config, with secret properties shown as `"[redacted]"`.
   *
   * @param name - plugin name
   * @returns the config
   * @throws TraceletError `TRACELET_ERR_PLUGIN_NOT_FOUND`
   */
  getPluginConfig(name: string): Record<string, unknown> {
    const { host } = this.loaded(name);
    return redactConfig(host.configSchema, host.config);
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
    if (name !== undefined) return [this.loaded(name).host.status()];
    return [...this.live.values()].map((l) => l.host.status());
  }

  /**
   * Stops every loaded plugin in reverse load order (each under its deadline).
   *
   * @returns one result per plugin
   */
  async stopAll(): Promise<PluginOpResult[]> {
    const results: PluginOpResult[] = [];
    for (const { host } of [...this.live.values()].reverse()) {
      const ok = await stopForOperation(host);
      results.push(resultOf(host, ok));
    }
    return results;
  }

  private loaded(name: string): Live {
    const live = this.live.get(name);
    if (!live) {
      throw new TraceletError("TRACELET_ERR_PLUGIN_NOT_FOUND", `No plugin named "${name}" is loaded.`, {
        details: { plugin: name },
      });
    }
    return live;
  }

  // Replaces a plugin's instance with a fresh one and brings it up with the given config.
  private async restart(live: Live, config: Readonly<Record<string, unknown>>): Promise<PluginOpResult> {
    const { host, record, run } = live;
    const missing = host.dependsOn.filter((d) => this.live.has(d) && this.live.get(d)?.host.state !== "started");
    if (missing.length > 0) {
      throw new TraceletError(
        "TRACELET_ERR_DEPENDENCY_FAILED",
        `Plugin "${host.name}" cannot start: its dependency "${missing[0]}" is not started.`,
        { details: { plugin: host.name, dependency: missing[0] } },
      );
    }
    const instance = await instantiate(record);
    host.replaceInstance(instance);
    host.config = config;
    host.stats.consecutiveFailures = 0;
    host.transition("loaded");
    await bringUpAlone([host], run.identity);
    return resultOf(host, host.state === "started");
  }
}
