import { TraceletError } from "../../core/errors.js";
import { createHooks } from "../../core/hooks.js";
import { forceCleanupAll } from "../../core/lifecycle/force-cleanup.js";
import type { PluginHost } from "../../core/lifecycle/plugin-host.js";
import { runStep } from "../../core/lifecycle/run-plugins.js";
import type { PluginErrorInfo, PluginState, RunIdentity } from "../../core/types.js";

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

/**
 * The result of an operation, read from the host.
 *
 * @param host - the plugin
 * @param ok - whether it succeeded
 * @returns the result
 */
export function resultOf(host: PluginHost, ok: boolean): PluginOpResult {
  const status = host.status();
  const result: PluginOpResult = { name: host.name, ok, state: host.state };
  if (!ok && status.lastError) result.error = status.lastError;
  return result;
}

/**
 * Initializes then starts plugins in the given (dependency) order, each isolated, through a
 * private set of hooks (the run's own were fired once, at its start).
 *
 * @param hosts - plugins in state `loaded`
 * @param run - the run identity
 * @returns per plugin, whether it started
 */
export async function bringUp(hosts: readonly PluginHost[], run: RunIdentity): Promise<Map<string, boolean>> {
  const hooks = createHooks();
  const timeouts = {};
  await runStep("initialize", hosts, hooks, run, timeouts, (host, signal) =>
    host.instance.initialize?.(host.config, host.context(signal)),
  );
  await runStep("start", hosts, hooks, run, timeouts, (host) => host.instance.start?.());
  return new Map(hosts.map((h) => [h.name, h.state === "started"]));
}

/**
 * Stops one plugin, whatever state it is in, and leaves it `stopped` (or as it was when there
 * was nothing to stop). A lifecycle-aware plugin whose stop fails is force-cleaned.
 *
 * @param host - the plugin
 * @returns whether its stop succeeded (true when nothing had to be stopped)
 */
export async function stopHost(host: PluginHost): Promise<boolean> {
  const s = host.state;
  if (s === "stopped" || s === "available" || s === "disabled") return true;
  if (s === "loaded" || !host.stats.calls.initialize) {
    host.transition("stopped");
    return true;
  }
  if (s !== "failed") host.transition("stopping");
  const outcome = await host.call("stop", host.timeoutFor("stop"), () => host.instance.stop?.());
  host.transition("stopped");
  if (!outcome.ok) forceCleanupAll([host], host.logger);
  return outcome.ok;
}

/**
 * Refuses an operation in a state that does not allow it.
 *
 * @param host - the plugin
 * @param operation - what was asked
 * @param allowed - states that allow it
 * @throws TraceletError `TRACELET_ERR_ILLEGAL_TRANSITION`
 */
export function requireState(host: PluginHost, operation: string, allowed: readonly PluginState[]): void {
  if (allowed.includes(host.state)) return;
  throw new TraceletError(
    "TRACELET_ERR_ILLEGAL_TRANSITION",
    `Cannot ${operation} plugin "${host.name}" while it is "${host.state}".`,
    { details: { plugin: host.name, state: host.state, operation } },
  );
}
