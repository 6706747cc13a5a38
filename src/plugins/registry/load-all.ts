import { resolve } from "node:path";
import { TraceletError } from "../../core/errors.js";
import type { PluginHost } from "../../core/lifecycle/plugin-host.js";
import { createRunId } from "../../core/run-id.js";
import type { RunIdentity } from "../../core/types.js";
import { activatePlugin, type RunContext } from "./activate.js";
import { bringUp, type PluginOpResult, resultOf } from "./host-control.js";
import type { LivePlugins } from "./live-plugins.js";
import { orderByDependencies } from "./order.js";
import type { PluginRecord } from "./plugin-record.js";

/** Options of `PluginManager.loadAll`. */
export interface LoadAllOptions {
  /** Parts of the identity the plugins see. */
  run?: Partial<RunIdentity>;
}

/** What {@link loadPlugins} works with. */
export interface LoadContext {
  /** Finds a usable plugin by name (throws its refusal's code). */
  resolve: (name: string) => PluginRecord;
  /** Where the loaded plugins are kept. */
  live: LivePlugins;
  /** What they share. */
  run: RunContext;
}

function failed(name: string, error: unknown): PluginOpResult {
  const e = error as TraceletError;
  return { name, ok: false, state: "failed", error: { code: e.code, hook: "load", message: e.message } };
}

/**
 * An identity for plugins loaded outside a run.
 *
 * @param cwd - the project directory
 * @param given - parts to keep
 * @returns a frozen identity (project `"default"`, a new run id, unless given)
 */
export function standaloneIdentity(cwd: string, given: Partial<RunIdentity> = {}): RunIdentity {
  const runId = given.runId ?? createRunId();
  const project = given.project ?? "default";
  return Object.freeze({
    project,
    name: runId,
    runId,
    role: "main",
    workerId: 0,
    workerCount: 1,
    runDir: resolve(cwd, "tracelet-runs", project, runId),
    ...given,
    tags: Object.freeze({ ...given.tags }),
  });
}

/**
 * Loads plugins outside a run: resolves each name, orders them by dependencies, validates each
 * config, constructs each class, then initializes and starts them. A plugin whose dependency
 * failed to load is not started (`TRACELET_ERR_DEPENDENCY_FAILED` naming both).
 *
 * @param configs - config by plugin name
 * @param ctx - how to resolve, where to keep, what they share
 * @returns one result per plugin, in the order of `configs`
 */
export async function loadPlugins(
  configs: Readonly<Record<string, unknown>>,
  ctx: LoadContext,
): Promise<PluginOpResult[]> {
  const results = new Map<string, PluginOpResult>();
  const records: PluginRecord[] = [];
  for (const name of Object.keys(configs)) {
    try {
      records.push(ctx.resolve(name));
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
      hosts.push(await activatePlugin(record, configs[record.name], ctx.run));
      loaded.push(record);
    } catch (error) {
      results.set(record.name, failed(record.name, error));
    }
  }
  ctx.live.adopt(loaded, hosts, ctx.run);
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
  await bringUp(
    hosts.filter((h) => h.state === "loaded"),
    ctx.run.identity,
  );
  for (const host of hosts)
    results.set(host.name, resultOf(host, host.state === "started" || host.state === "disabled"));
  return Object.keys(configs).map((n) => results.get(n) as PluginOpResult);
}
