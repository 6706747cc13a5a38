import { resolve } from "node:path";
import type { Logger } from "pino";
import { registerBuiltins } from "./builtins.js";
import { validateConfig } from "./core/config/config-validator.js";
import { secretPaths } from "./core/config/secret-paths.js";
import { Experiment } from "./core/experiment.js";
import { createHooks } from "./core/hooks.js";
import { readHostConfig } from "./core/host-config.js";
import { PluginHost } from "./core/lifecycle/plugin-host.js";
import { DEFAULT_TIMEOUTS } from "./core/lifecycle/run-plugins.js";
import { childLogger, createLogger } from "./core/logger.js";
import { checkRunOptions, optionsFromEnv, RUN_OPTION_KEYS, type RunOptions } from "./core/options.js";
import { createRunId } from "./core/run-id.js";
import type { PluginType, RunIdentity } from "./core/types.js";
import { instantiate } from "./plugins/instantiate.js";
import { orderByDependencies } from "./plugins/order.js";
import { PluginManager } from "./plugins/plugin-manager.js";
import type { PluginRecord } from "./plugins/plugin-record.js";

/** Options of {@link startExperiment}: the run options plus an optional manager and logger. */
export interface StartExperimentOptions extends RunOptions {
  /** A manager holding hand-registered plugins (default: a new one). */
  manager?: PluginManager;
  /** A logger (default: Tracelet's root logger at `logLevel`). */
  logger?: Logger;
}

function pickRunOptions(field: Record<string, unknown>): RunOptions {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(field)) {
    // `plugins` as an array is a plugin manifest (the host is itself a plugin package), not config.
    if (RUN_OPTION_KEYS.has(k) && !(k === "plugins" && Array.isArray(v))) out[k] = v;
  }
  return out as RunOptions;
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
export async function startExperiment(options: StartExperimentOptions = {}): Promise<Experiment> {
  const { manager: givenManager, logger: givenLogger, ...explicit } = options;
  checkRunOptions(explicit, "startExperiment()");
  const cwd = resolve(explicit.cwd ?? process.cwd());
  const env = optionsFromEnv();
  const host = await readHostConfig(cwd);
  const fromPackage = pickRunOptions(host?.tracelet ?? {});
  checkRunOptions(fromPackage, "package.json#tracelet");
  const o: RunOptions = { ...fromPackage, ...env, ...explicit };
  const plugins = { ...fromPackage.plugins, ...explicit.plugins };

  const logger = givenLogger ?? createLogger({ level: o.logLevel });
  const manager = givenManager ?? new PluginManager({ cwd, logger, timeouts: o.timeouts });
  registerBuiltins(manager);
  const wanted: Array<[string, PluginType]> = [
    ...(o.backends ?? ["jsonl"]).map((n): [string, PluginType] => [n, "backend"]),
    ...(o.collectors ?? []).map((n): [string, PluginType] => [n, "collector"]),
  ];
  if (wanted.some(([n, t]) => !manager.getPlugin(t, n)) && !manager.discovery) await manager.discoverPlugins();
  const records = orderByDependencies(wanted.map(([n, t]) => manager.resolve(n, t)));

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
  const hooks = createHooks();
  const hosts = await Promise.all(
    records.map(async (record: PluginRecord) => {
      const config = validateConfig(record.name, record.configSchema, plugins[record.name]);
      const instance = await instantiate(record);
      return new PluginHost({
        name: record.name,
        type: record.type,
        instance,
        config,
        logger: childLogger(logger, record.name, secretPaths(record.configSchema)),
        run: identity,
        hooks,
        dependsOn: Object.keys(record.dependencies ?? {}),
      });
    }),
  );
  return Experiment.start({
    identity,
    hooks,
    hosts,
    logger,
    timeouts: { ...DEFAULT_TIMEOUTS, ...manager.timeouts, ...o.timeouts },
    batchSize: o.batchSize,
    flushIntervalMs: o.flushIntervalMs,
    onInvalidMetric: o.onInvalidMetric,
  });
}
