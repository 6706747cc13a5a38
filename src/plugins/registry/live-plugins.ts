import { redactConfig } from "../../core/config/redact.js";
import { TraceletError } from "../../core/errors.js";
import type { PluginHost } from "../../core/lifecycle/plugin-host.js";
import type { PluginStatus } from "../../core/types.js";
import { type RunContext, validatePluginConfig } from "./activate.js";
import { applyConfig } from "./apply-config.js";
import { bringUp, type PluginOpResult, requireState, resultOf, stopHost } from "./host-control.js";
import { instantiate } from "./instantiate.js";
import type { PluginRecord } from "./plugin-record.js";

interface Live {
  record: PluginRecord;
  host: PluginHost;
  run: RunContext;
}

/**
 * The plugin instances a manager currently holds (those of its latest run, or of `loadAll`),
 * and the management operations on them: enable, disable, unload, reload, hot config update.
 */
export class LivePlugins {
  private readonly live = new Map<string, Live>();
  /** Names disabled before they were loaded: a run creates them `disabled`. */
  readonly disabledNames = new Set<string>();

  /**
   * Adopts hosts created for a run (replacing earlier ones of the same name).
   *
   * @param records - the plugins
   * @param hosts - their hosts, same order
   * @param run - what they share
   */
  adopt(records: readonly PluginRecord[], hosts: readonly PluginHost[], run: RunContext): void {
    hosts.forEach((host, i) => {
      this.live.set(host.name, { record: records[i] as PluginRecord, host, run });
      if (this.disabledNames.has(host.name) && host.state === "loaded") host.transition("disabled");
    });
  }

  /**
   * The host of a loaded plugin, if any.
   *
   * @param name - plugin name
   * @returns the host
   */
  host(name: string): PluginHost | undefined {
    return this.live.get(name)?.host;
  }

  /** Every loaded plugin's host, in load order. */
  hosts(): PluginHost[] {
    return [...this.live.values()].map((l) => l.host);
  }

  private get(name: string): Live {
    const live = this.live.get(name);
    if (!live) {
      throw new TraceletError("TRACELET_ERR_PLUGIN_NOT_FOUND", `No plugin named "${name}" is loaded.`, {
        details: { plugin: name },
      });
    }
    return live;
  }

  /**
   * Replaces a plugin's instance with a fresh one and brings it up with the given config.
   *
   * @param live - the plugin
   * @param config - validated config
   * @returns the result
   */
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
    const started = await bringUp([host], run.identity);
    return resultOf(host, started.get(host.name) === true);
  }

  /**
   * Stops a plugin and starts a fresh instance, with its config or a new (validated) one.
   *
   * @param name - plugin name
   * @param config - a new config (default: keep the current one)
   * @returns the result
   * @throws TraceletError `TRACELET_ERR_PLUGIN_NOT_FOUND`, `TRACELET_ERR_CONFIG_INVALID` (the
   *   plugin is left untouched), `TRACELET_ERR_ILLEGAL_TRANSITION` when disabled
   */
  async reload(name: string, config?: unknown): Promise<PluginOpResult> {
    const live = this.get(name);
    requireState(live.host, "reload", ["loaded", "initialized", "started", "stopped", "failed", "quarantined"]);
    const next = config === undefined ? live.host.config : validatePluginConfig(live.record, config);
    await stopHost(live.host);
    return this.restart(live, next);
  }

  /**
   * Stops a plugin and sets it aside (`disabled`); a plugin not loaded yet is created disabled.
   *
   * @param name - plugin name
   * @returns the result
   */
  async disable(name: string): Promise<PluginOpResult> {
    this.disabledNames.add(name);
    const live = this.live.get(name);
    if (!live) return { name, ok: true, state: "disabled" };
    const stopped = await stopHost(live.host);
    live.host.transition("disabled");
    return resultOf(live.host, stopped);
  }

  /**
   * Brings a disabled plugin back with a fresh instance.
   *
   * @param name - plugin name
   * @returns the result
   */
  async enable(name: string): Promise<PluginOpResult> {
    this.disabledNames.delete(name);
    const live = this.live.get(name);
    if (!live) return { name, ok: true, state: "available" };
    if (live.host.state !== "disabled") return resultOf(live.host, true);
    return this.restart(live, live.host.config);
  }

  /**
   * Stops a plugin and forgets its instance (state `available`).
   *
   * @param name - plugin name
   * @returns the result
   */
  async unload(name: string): Promise<PluginOpResult> {
    const live = this.get(name);
    const stopped = await stopHost(live.host);
    live.host.transition("available");
    this.live.delete(name);
    return resultOf(live.host, stopped);
  }

  /**
   * Applies a new config to a loaded plugin without restarting the run: validated first (an
   * invalid one throws and the old one stays); a started plugin that implements
   * `onConfigUpdate(config)` takes it in place (`"hot"`; if that call fails, the old config is
   * kept), any other started plugin is re-created and re-initialized (`"reinitialized"`); a
   * plugin that is not running keeps it for its next start (`"stored"`).
   *
   * @param name - plugin name
   * @param config - the complete new config (defaults are applied again)
   * @returns the result with its `mode`
   * @throws TraceletError `TRACELET_ERR_CONFIG_INVALID` listing every problem
   */
  async updateConfig(name: string, config: unknown): Promise<PluginOpResult> {
    const live = this.get(name);
    const next = validatePluginConfig(live.record, config);
    return applyConfig(live.host, next, () => this.reload(name, config));
  }

  /**
   * A loaded plugin's config with its secrets replaced by `"[redacted]"`.
   *
   * @param name - plugin name
   * @returns the redacted config
   */
  config(name: string): Record<string, unknown> {
    const { host } = this.get(name);
    return redactConfig(host.configSchema, host.config);
  }

  /**
   * The status of one or every loaded plugin.
   *
   * @param name - plugin name (default: all)
   * @returns statuses
   */
  status(name?: string): PluginStatus[] {
    if (name !== undefined) return [this.get(name).host.status()];
    return this.hosts().map((h) => h.status());
  }
}
