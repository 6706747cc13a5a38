import { resolve } from "node:path";
import type { Logger } from "pino";
import { isTraceletError, TraceletError } from "./core/errors.js";
import { Experiment } from "./core/experiment.js";
import { createHooks } from "./core/hooks.js";
import { readHostConfig } from "./core/host-config.js";
import type { PluginHost } from "./core/lifecycle/plugin-host.js";
import { resolveTimeouts } from "./core/lifecycle/timeouts.js";
import { createLogger } from "./core/logger.js";
import { checkRunOptions, definedOptions, RUN_OPTION_KEYS, type RunOptions } from "./core/options.js";
import { optionsFromEnv } from "./core/options-env.js";
import { createRunId } from "./core/run-id.js";
import type { PluginType, RunIdentity } from "./core/types.js";
import type { BackendConfigs, CollectorConfigs, TypedRunOptions } from "./plugin-configs.js";
import { PluginManager } from "./plugin-manager.js";
import { activatePlugin, type RunContext } from "./plugins/registry/activate.js";
import { orderByDependencies } from "./plugins/registry/order.js";
import type { PluginRecord } from "./plugins/registry/plugin-record.js";

/**
 * Options of {@link startExperiment}: the run options, plugin names and configs checked against
 * {@link BackendConfigs} and {@link CollectorConfigs}, plus an optional manager and logger.
 */
export interface StartExperimentOptions extends TypedRunOptions {
  /** A manager holding hand-registered plugins (default: a new one); it can manage the run's plugins. */
  manager?: PluginManager;
  /** A logger (default: Tracelet's root logger at `logLevel`). */
  logger?: Logger;
  /** Failures in a row after which a plugin is quarantined (default: the manager's, else 5). */
  quarantineAfter?: number;
}

/**
 * Options of {@link startExperiment} with a manager of hand-registered plugins: their names are
 * known at run time only, so names and configs are not checked by types (declare them in
 * {@link BackendConfigs}/{@link CollectorConfigs} to have them checked).
 */
export interface StartExperimentWithManagerOptions extends RunOptions {
  /** A manager holding hand-registered plugins; it can manage the run's plugins. */
  manager: PluginManager;
  /** A logger (default: Tracelet's root logger at `logLevel`). */
  logger?: Logger;
  /** Failures in a row after which a plugin is quarantined (default: the manager's, else 5). */
  quarantineAfter?: number;
}

function pickRunOptions(field: Record<string, unknown>): RunOptions {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(field)) {
    // `plugins` as an array is a plugin manifest (the host is itself a plugin package), not config.
    if (RUN_OPTION_KEYS.has(k) && !(k === "plugins" && Array.isArray(v))) out[k] = v;
  }
  return out as RunOptions;
}

// Adds the plugins that the named ones depend on but the run does not name.
async function withDependencies(
  manager: PluginManager,
  named: PluginRecord[],
  discovery: RunOptions["discovery"],
): Promise<PluginRecord[]> {
  const out = [...named];
  const seen = new Set(named.map((r) => r.name));
  for (let i = 0; i < out.length; i++) {
    const record = out[i] as PluginRecord;
    for (const dep of Object.keys(record.dependencies ?? {})) {
      if (seen.has(dep)) continue;
      let found: PluginRecord;
      try {
        // A dependency may live in node_modules while the named plugins were registered by hand.
        if (!manager.discovery && !manager.getPlugin("backend", dep) && !manager.getPlugin("collector", dep))
          await manager.discoverPlugins({ cache: discovery?.cache });
        found = manager.resolve(dep);
      } catch (error) {
        // An unknown dependency is missing; a refused one keeps its refusal's own code.
        const refused = isTraceletError(error) && error.code !== "TRACELET_ERR_PLUGIN_NOT_FOUND";
        throw new TraceletError(
          refused ? error.code : "TRACELET_ERR_DEPENDENCY_MISSING",
          refused
            ? `Plugin "${record.name}" depends on plugin "${dep}", which was refused: ${error.message.replace(error.hint, "").trim()}`
            : `Plugin "${record.name}" depends on plugin "${dep}", which is not available.`,
          { cause: error, details: { plugin: record.name, dependency: dep } },
        );
      }
      seen.add(dep);
      out.push(found);
    }
  }
  return out;
}

// Activates every plugin; all config problems of all plugins are reported together.
async function activateAll(
  records: readonly PluginRecord[],
  configs: Record<string, unknown>,
  run: RunContext,
): Promise<PluginHost[]> {
  const settled = await Promise.allSettled(records.map((r) => activatePlugin(r, configs[r.name], run)));
  const errors = settled.flatMap((s) => (s.status === "rejected" ? [s.reason as TraceletError] : []));
  if (errors.length === 0) return settled.map((s) => (s as PromiseFulfilledResult<PluginHost>).value);
  const invalid = errors.filter((e) => e.code === "TRACELET_ERR_CONFIG_INVALID");
  if (invalid.length < 2) throw invalid[0] ?? errors[0];
  const text = invalid.map((e) => e.message.slice(0, e.message.length - e.hint.length).trim()).join(" ");
  throw new TraceletError("TRACELET_ERR_CONFIG_INVALID", text, {
    cause: invalid[0],
    details: { plugins: invalid.map((e) => e.details) },
  });
}

/**
 * Starts an experiment: resolves options (explicit > `TRACELET_*` environment > the host
 * package.json `tracelet` field), activates the named plugins, initializes and starts them.
 *
 * @param options - run options
 * @returns the running experiment
 * @throws TraceletError `TRACELET_ERR_OPTION_INVALID`, `TRACELET_ERR_PLUGIN_NOT_FOUND`, a
 *   refused plugin's own code, `TRACELET_ERR_LOAD_FAILED`, `TRACELET_ERR_CONFIG_INVALID`
 * @example
 * ```ts
 * const exp = await startExperiment({ project: "mnist", backends: ["jsonl"] });
 * exp.logMetric("loss", 0.42, 1);
 * await exp.stop();
 * ```
 */
export function startExperiment(options?: StartExperimentOptions): Promise<Experiment>;
export function startExperiment(options: StartExperimentWithManagerOptions): Promise<Experiment>;
export async function startExperiment(
  options: StartExperimentOptions | StartExperimentWithManagerOptions = {},
): Promise<Experiment> {
  const { manager: givenManager, logger: givenLogger, quarantineAfter, ...explicit } = options;
  checkRunOptions(explicit, "startExperiment()");
  const cwd = resolve(explicit.cwd ?? process.cwd());
  const env = optionsFromEnv();
  checkRunOptions(env, "the environment (TRACELET_*)");
  const host = await readHostConfig(cwd);
  const fromPackage = pickRunOptions(host?.tracelet ?? {});
  checkRunOptions(fromPackage, "package.json#tracelet");
  const o: RunOptions = { ...definedOptions(fromPackage), ...definedOptions(env), ...definedOptions(explicit) };
  const plugins: Record<string, unknown> = { ...fromPackage.plugins, ...explicit.plugins };

  const logger = givenLogger ?? createLogger({ level: o.logLevel });
  const manager = givenManager ?? new PluginManager({ cwd, logger, timeouts: o.timeouts });
  const timeouts = resolveTimeouts(manager.timeouts, fromPackage.timeouts, o.timeouts);
  const wanted: Array<[string, PluginType]> = [
    ...(o.backends ?? ["jsonl"]).map((n): [string, PluginType] => [n, "backend"]),
    ...(o.collectors ?? []).map((n): [string, PluginType] => [n, "collector"]),
  ];
  if (wanted.some(([n, t]) => !manager.getPlugin(t, n)) && !manager.discovery) {
    await manager.discoverPlugins({ cache: o.discovery?.cache });
  }
  const named = wanted.map(([n, t]) => manager.resolve(n, t));
  const records = orderByDependencies(await withDependencies(manager, named, o.discovery));

  const runId = o.runId ?? createRunId();
  const project = o.project ?? host?.packageName?.replace(/^@[^/]+\//, "") ?? "default";
  const identity: RunIdentity = Object.freeze({
    project,
    name: o.name ?? runId,
    runId,
    role: o.role ?? "main",
    workerId: o.workerId ?? 0,
    workerCount: o.workerCount ?? 1,
    tags: Object.freeze({ ...o.tags }),
    runDir: resolve(cwd, o.dir ?? "tracelet-runs", project, runId),
  });
  const run: RunContext = {
    identity,
    hooks: createHooks({
      onTapError: ({ tap, hook, error }) =>
        logger.warn(
          { plugin: tap, hook, err: error instanceof Error ? error.message : String(error) },
          "a hook tap threw",
        ),
    }),
    logger,
    timeouts,
    quarantineAfter: quarantineAfter ?? manager.quarantineAfter,
  };
  const unused = Object.keys(plugins).filter((n) => !records.some((r) => r.name === n));
  if (unused.length > 0) logger.warn({ plugins: unused }, "config given for plugins this run does not use");
  const hosts = await activateAll(records, plugins, run);
  manager.adoptRun(records, hosts, run);
  return Experiment.start({
    identity,
    hooks: run.hooks,
    hosts,
    logger,
    timeouts,
    batchSize: o.batchSize,
    flushIntervalMs: o.flushIntervalMs,
    onInvalidMetric: o.onInvalidMetric,
    maxQueuedBytes: o.maxQueuedBytes,
    maxQueuedPoints: o.maxQueuedPoints,
    retry: o.retry,
  });
}
