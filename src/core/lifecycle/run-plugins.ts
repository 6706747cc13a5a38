import type { Logger } from "pino";
import { TraceletError } from "../errors.js";
import { failureCause } from "../failure-cause.js";
import type { TraceletHooks } from "../hooks.js";
import { FINISHED, type RunEnd } from "../run-end.js";
import type { HookName, PluginFailure, RunIdentity, Timeouts } from "../types.js";
import { forceCleanupAll, isProcessAlive } from "./force-cleanup.js";
import type { PluginHost } from "./plugin-host.js";

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
export async function runStep(
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
      if (host.state === "stopped" || host.state === "available" || host.state === "disabled") return;
      if (!host.stats.calls.initialize) {
        if (host.state === "loaded") host.transition("stopped");
        return;
      }
      if (host.state === "initialized" || host.state === "started" || host.state === "quarantined")
        host.transition("stopping");
      // Whole milliseconds: timers round down, so a fraction left after the previous deadline
      // fired would start a call that has no time at all.
      const left = Math.floor(endAt - performance.now());
      if (left < 1) {
        const error = new TraceletError(
          "TRACELET_ERR_SHUTDOWN_TIMEOUT",
          `Plugin "${host.name}" was not stopped: the shutdown deadline of ${timeouts.shutdown} ms had passed.`,
          { details: { plugin: host.name, hook: "stop" } },
        );
        host.recordFailure("stop", error);
        result.failures.push(failure(host.name, "stop", error));
        unclean.push(host);
      } else {
        const outcome = await host.call(
          "stop",
          timeouts.stop ?? host.timeoutFor("stop"),
          () => host.instance.stop?.(end),
          left,
        );
        if (outcome.ok) result.successes.push(host.name);
        else {
          result.failures.push(failure(host.name, "stop", outcome.error));
          unclean.push(host);
        }
      }
      host.transition("stopped");
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
