import type { Logger } from "pino";
import { TraceletError } from "../errors.js";
import { failureCause } from "../failure-cause.js";
import type { TraceletHooks } from "../hooks.js";
import { FINISHED, type RunEnd } from "../run-end.js";
import type { HookName, PluginFailure, RunIdentity, Timeouts } from "../types.js";
import { forceCleanupAll, isProcessAlive } from "./force-cleanup.js";
import type { CallResult, PluginHost } from "./plugin-host.js";

export { DEFAULT_TIMEOUTS } from "./timeouts.js";

/** The outcome of running one hook over many plugins. */
export interface HookRunResult {
  /** Plugins whose call succeeded. */
  successes: string[];
  /** Plugins whose call failed. */
  failures: PluginFailure[];
}

function failedDependency(host: PluginHost, byName: Map<string, PluginHost>): PluginHost | undefined {
  for (const dep of host.dependsOn) {
    const other = byName.get(dep);
    if (other && (other.state === "failed" || other.state === "quarantined" || other.state === "disabled"))
      return other;
  }
  return undefined;
}

/**
 * Runs one lifecycle step (`initialize` or `start`) over plugins in dependency order, through
 * the run's tapable hook: each plugin taps it under its own name. A failing plugin is isolated;
 * its dependents are not run and fail with `TRACELET_ERR_DEPENDENCY_FAILED` naming both.
 *
 * @param hookName - `"initialize"` or `"start"`
 * @param hosts - plugins in start order (dependencies first)
 * @param hooks - the run's hooks
 * @param run - the run identity
 * @param timeouts - deadlines (a plugin's `perPlugin` entry wins)
 * @param step - the call on one plugin
 * @returns successes and failures
 */
async function runStep(
  hookName: "initialize" | "start",
  hosts: readonly PluginHost[],
  hooks: TraceletHooks,
  run: RunIdentity,
  timeouts: Timeouts,
  step: (host: PluginHost, signal: AbortSignal) => unknown,
): Promise<HookRunResult> {
  const result: HookRunResult = { successes: [], failures: [] };
  const byName = new Map(hosts.map((h) => [h.name, h]));
  const target = hookName === "initialize" ? "initialized" : "started";
  const from = hookName === "initialize" ? "loaded" : "initialized";
  const hook = hooks[hookName];
  for (const host of hosts) {
    hook.tapPromise({ name: host.name }, async () => {
      if (host.state !== from) return;
      const dep = failedDependency(host, byName);
      if (dep) {
        const error = new TraceletError(
          "TRACELET_ERR_DEPENDENCY_FAILED",
          `Plugin "${host.name}" was not run because its dependency "${dep.name}" ${dep.state === "disabled" ? "is disabled" : dep.state === "quarantined" ? "is quarantined" : "failed"}.`,
          { details: { plugin: host.name, dependency: dep.name } },
        );
        host.recordFailure(hookName, error);
        host.transition("failed");
        result.failures.push(failure(host.name, hookName, error));
        return;
      }
      const timeout = timeouts[hookName] ?? host.timeoutFor(hookName);
      const outcome = await host.call(hookName, timeout, (signal) => step(host, signal));
      if (outcome.ok) {
        host.transition(target);
        result.successes.push(host.name);
      } else {
        host.transition("failed");
        result.failures.push(failure(host.name, hookName, outcome.error));
      }
    });
  }
  await hook.promise(run);
  return result;
}

/**
 * Brings plugins up: `initialize` then `start`, each through {@link runStep} (dependency order,
 * failures isolated, dependents of a failed plugin not run). The run, the manager (`loadAll`,
 * reload, enable) and `tracelet sync` all bring plugins up through this one path.
 *
 * @param hosts - plugins in state `loaded`, in start order
 * @param hooks - the hooks to fire (a manager bringing one plugin back mid-run uses a private set)
 * @param run - the run identity
 * @param timeouts - deadlines (a plugin's `perPlugin` entry wins)
 * @returns successes and failures of both steps
 */
export async function bringUp(
  hosts: readonly PluginHost[],
  hooks: TraceletHooks,
  run: RunIdentity,
  timeouts: Timeouts,
): Promise<HookRunResult> {
  const init = await runStep("initialize", hosts, hooks, run, timeouts, (host, signal) =>
    host.instance.initialize?.(host.config, host.context(signal)),
  );
  const start = await runStep("start", hosts, hooks, run, timeouts, (host) => host.instance.start?.());
  return { successes: start.successes, failures: [...init.failures, ...start.failures] };
}

/** Options of {@link stopPlugin}. */
export interface StopPluginOptions {
  /** The deadline of the `stop` call (default: the plugin's own). */
  timeoutMs?: number;
  /** An upper bound whatever the deadlines say (what is left of the shutdown). */
  capMs?: number;
  /** How the run ended, passed to the plugin's `stop(end)`. */
  end?: RunEnd;
}

/**
 * Stops one plugin whatever state it is in, under its deadline, and leaves it `stopped`: a
 * plugin that is already stopped, unloaded or disabled is left alone, one that never
 * initialized is not called. The one tear-down path of the run's {@link stopAll}, of the
 * manager's operations and of `tracelet sync`.
 *
 * @param host - the plugin
 * @param options - deadline, cap, run end
 * @returns the call's outcome, or undefined when nothing had to be called
 */
export async function stopPlugin(
  host: PluginHost,
  options: StopPluginOptions = {},
): Promise<CallResult<unknown> | undefined> {
  const s = host.state;
  if (s === "stopped" || s === "available" || s === "disabled") return undefined;
  if (!host.stats.calls.initialize) {
    if (s === "loaded") host.transition("stopped");
    return undefined;
  }
  if (s === "initialized" || s === "started" || s === "quarantined") host.transition("stopping");
  const outcome = await host.call(
    "stop",
    options.timeoutMs ?? host.timeoutFor("stop"),
    () => host.instance.stop?.(options.end),
    {
      capMs: options.capMs,
    },
  );
  host.transition("stopped");
  return outcome;
}

/**
 * Stops plugins in reverse start order through the `stop` hook, each under its own deadline
 * and all of them under `timeouts.shutdown`: a plugin reached after the shutdown deadline is
 * not called and fails with `TRACELET_ERR_SHUTDOWN_TIMEOUT`. Plugins that never initialized
 * are not stopped. Finally every lifecycle-aware plugin whose stop failed, or that still
 * lists live children, is force-cleaned.
 *
 * @param hosts - plugins in start order
 * @param hooks - the run's hooks
 * @param run - the run identity
 * @param timeouts - deadlines
 * @param logger - where forced cleanups are reported
 * @param startedAt - when the shutdown began (`performance.now()`; default: now), so that the
 *   shutdown deadline also covers what the run did before stopping its plugins (flushing)
 * @param end - how the run ended, passed to each plugin's `stop(end)`
 * @returns successes and failures
 */
export async function stopAll(
  hosts: readonly PluginHost[],
  hooks: TraceletHooks,
  run: RunIdentity,
  timeouts: Timeouts,
  logger?: Logger,
  startedAt: number = performance.now(),
  end: RunEnd = FINISHED,
): Promise<HookRunResult> {
  const result: HookRunResult = { successes: [], failures: [] };
  const endAt = startedAt + (timeouts.shutdown ?? 30_000);
  const unclean: PluginHost[] = [];
  for (const host of [...hosts].reverse()) {
    hooks.stop.tapPromise({ name: host.name }, async () => {
      const s = host.state;
      if (s === "stopped" || s === "available" || s === "disabled" || !host.stats.calls.initialize) {
        await stopPlugin(host);
        return;
      }
      // Whole milliseconds: timers round down, so a fraction left after the previous deadline
      // fired would start a call that has no time at all.
      const left = Math.floor(endAt - performance.now());
      if (left < 1) {
        if (s === "initialized" || s === "started" || s === "quarantined") host.transition("stopping");
        const error = new TraceletError(
          "TRACELET_ERR_SHUTDOWN_TIMEOUT",
          `Plugin "${host.name}" was not stopped: the shutdown deadline of ${timeouts.shutdown} ms had passed.`,
          { details: { plugin: host.name, hook: "stop" } },
        );
        host.recordFailure("stop", error);
        result.failures.push(failure(host.name, "stop", error));
        unclean.push(host);
        host.transition("stopped");
        return;
      }
      const outcome = await stopPlugin(host, { timeoutMs: timeouts.stop, capMs: left, end });
      if (!outcome || outcome.ok) result.successes.push(host.name);
      else {
        result.failures.push(failure(host.name, "stop", outcome.error));
        unclean.push(host);
      }
    });
  }
  await hooks.stop.promise(run);
  const leftovers = hosts.filter((h) => unclean.includes(h) || hasLiveChildren(h));
  if (leftovers.length > 0) forceCleanupAll(leftovers, logger);
  return result;
}

function hasLiveChildren(host: PluginHost): boolean {
  try {
    return (host.instance.getChildPids?.() ?? []).some((pid) => isProcessAlive(pid));
  } catch {
    return true;
  }
}

function failure(plugin: string, hook: HookName, error: TraceletError): PluginFailure {
  return { plugin, hook, code: error.code, message: error.message, cause: failureCause(error) };
}
