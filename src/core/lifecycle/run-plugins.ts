import { TraceletError } from "../errors.js";
import type { TraceletHooks } from "../hooks.js";
import type { HookName, PluginFailure, RunIdentity, Timeouts } from "../types.js";
import type { PluginHost } from "./plugin-host.js";

/** Default deadlines, in ms. */
export const DEFAULT_TIMEOUTS: Readonly<Required<Timeouts>> = Object.freeze({
  initialize: 10_000,
  start: 10_000,
  collect: 10_000,
  flush: 10_000,
  stop: 10_000,
  shutdown: 30_000,
});

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
 * its dependents are not run and fail with an error naming both.
 *
 * @param hookName - `"initialize"` or `"start"`
 * @param hosts - plugins in start order (dependencies first)
 * @param hooks - the run's hooks
 * @param run - the run identity
 * @param timeouts - deadlines
 * @param step - the call on one plugin
 * @returns successes and failures
 */
export async function runStep(
  hookName: "initialize" | "start",
  hosts: readonly PluginHost[],
  hooks: TraceletHooks,
  run: RunIdentity,
  timeouts: Required<Timeouts>,
  step: (host: PluginHost, signal: AbortSignal) => unknown,
): Promise<HookRunResult> {
  const result: HookRunResult = { successes: [], failures: [] };
  const byName = new Map(hosts.map((h) => [h.name, h]));
  const target = hookName === "initialize" ? "initialized" : "started";
  const hook = hooks[hookName];
  for (const host of hosts) {
    hook.tapPromise({ name: host.name }, async () => {
      if (host.state === "failed" || host.state === "disabled") return;
      const dep = failedDependency(host, byName);
      if (dep) {
        const error = new TraceletError(
          "TRACELET_ERR_DEPENDENCY_FAILED",
          `Plugin "${host.name}" was not run because its dependency "${dep.name}" failed.`,
          { details: { plugin: host.name, dependency: dep.name } },
        );
        host.recordFailure(hookName, error);
        host.transition("failed");
        result.failures.push(failure(host.name, hookName, error));
        return;
      }
      const outcome = await host.call(hookName, timeouts[hookName], (signal) => step(host, signal));
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
 * Stops plugins in reverse start order, each under its deadline, through the `stop` hook.
 *
 * @param hosts - plugins in start order
 * @param hooks - the run's hooks
 * @param run - the run identity
 * @param timeouts - deadlines
 * @returns successes and failures
 */
export async function stopAll(
  hosts: readonly PluginHost[],
  hooks: TraceletHooks,
  run: RunIdentity,
  timeouts: Required<Timeouts>,
): Promise<HookRunResult> {
  const result: HookRunResult = { successes: [], failures: [] };
  for (const host of [...hosts].reverse()) {
    hooks.stop.tapPromise({ name: host.name }, async () => {
      if (host.state === "stopped" || host.state === "available") return;
      if (host.state !== "failed" && host.state !== "quarantined" && host.state !== "loaded")
        host.transition("stopping");
      const outcome = await host.call("stop", timeouts.stop, () => host.instance.stop?.());
      host.transition(host.state === "loaded" ? "stopped" : host.state === "stopping" ? "stopped" : "stopped");
      if (outcome.ok) result.successes.push(host.name);
      else result.failures.push(failure(host.name, "stop", outcome.error));
    });
  }
  await hooks.stop.promise(run);
  return result;
}

function failure(plugin: string, hook: HookName, error: TraceletError): PluginFailure {
  return { plugin, hook, code: error.code, message: error.message };
}
