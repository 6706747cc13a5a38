import type { Logger } from "pino";
import { MetricInput } from "./data/metric-input.js";
import { MetricPipeline } from "./data/metric-pipeline.js";
import { SideCalls } from "./data/side-calls.js";
import { TraceletError } from "./errors.js";
import type { ExperimentInit, ExperimentState, ExperimentStatus } from "./experiment-types.js";
import type { CollectEvent, TraceletHooks } from "./hooks.js";
import { CollectorParams } from "./lifecycle/collector-params.js";
import { CollectorScheduler } from "./lifecycle/collector-scheduler.js";
import type { PluginHost } from "./lifecycle/plugin-host.js";
import { runStep } from "./lifecycle/run-plugins.js";
import type { RunIdentity, Timeouts } from "./types.js";

/** The parts of a running experiment that its flush and its shutdown go through. */
export interface RunParts {
  /** Run identity. */
  identity: RunIdentity;
  /** The run's hooks. */
  hooks: TraceletHooks;
  /** Plugins in start order. */
  hosts: PluginHost[];
  /** The root logger. */
  logger: Logger;
  /** Deadlines. */
  timeouts: Required<Timeouts>;
  /** The metric data path. */
  pipeline: MetricPipeline;
  /** Params, tags and artifacts on their way to the backends. */
  side: SideCalls;
  /** The collectors' schedules. */
  schedules: CollectorScheduler;
  /** The checked (slow) path of metric logging. */
  input: MetricInput;
  /** The collectors' params, logged once each. */
  params: CollectorParams;
}

/** What a run's parts report back to the experiment. */
export interface RunCallbacks {
  /** Receives each collector sample. */
  onSample: (event: CollectEvent) => void;
  /** What an invalid metric does: throw at the call site (default) or warn and count. */
  onInvalidMetric?: "throw" | "warn";
}

/**
 * Builds the parts of a run: its data path, its side calls, its collector schedules and params.
 *
 * @param init - identity, hooks, plugins, deadlines and data-path options
 * @param callbacks - where samples go
 * @returns the parts
 */
export function createRunParts(init: ExperimentInit, callbacks: RunCallbacks): RunParts {
  const { identity, hooks, hosts, logger, timeouts } = init;
  const pipeline = new MetricPipeline({
    hooks,
    identity,
    logger,
    batchSize: init.batchSize,
    flushIntervalMs: init.flushIntervalMs,
    maxQueuedBytes: init.maxQueuedBytes,
    maxQueuedPoints: init.maxQueuedPoints,
    retry: init.retry,
    timeouts,
  });
  const side = new SideCalls(hosts, hooks, timeouts, identity.tags);
  const { names: table, buffer, clock } = pipeline;
  const input = new MetricInput({ table, buffer, clock, onInvalid: init.onInvalidMetric, logger });
  const params = new CollectorParams(timeouts.start, (values) => side.params(values));
  const schedules = new CollectorScheduler({
    collectTimeoutMs: timeouts.collect,
    onSample: callbacks.onSample,
    // A collector enabled mid-run describes the run too (once: a reload does not log again).
    onStarted: (host) => logCollectorParams(run, [host]),
  });
  const run: RunParts = { identity, hooks, hosts, logger, timeouts, pipeline, side, schedules, input, params };
  return run;
}

/**
 * Logs the params of started collectors not logged yet, in the background: gathering them
 * (git, inventory, a GPU's first rows) can take seconds and must not delay training;
 * `flush()` and `stop()` wait for it.
 *
 * @param run - the run's parts
 * @param hosts - the plugins to consider
 */
export function logCollectorParams(run: RunParts, hosts: readonly PluginHost[]): void {
  void run.side.track(run.params.log(hosts)).catch((error: unknown) => {
    run.logger.error({ err: error }, "collector params could not be logged");
  });
}

/**
 * Initializes and starts the plugins in dependency order (each isolated), gives every backend
 * its channel and schedules the started collectors (following them for the rest of the run).
 *
 * @param run - the run's parts
 */
export async function startRun(run: RunParts): Promise<void> {
  const { hooks, identity, timeouts, hosts } = run;
  await runStep("initialize", hosts, hooks, identity, timeouts, (host, signal) =>
    host.instance.initialize?.(host.config, host.context(signal)),
  );
  await runStep("start", hosts, hooks, identity, timeouts, (host) => host.instance.start?.());
  // A backend that failed (or is disabled) still gets a (spool-only) channel, so its points are not lost.
  for (const host of hosts) if (host.type === "backend") run.pipeline.attach(host);
  run.schedules.watch(hosts);
}

/**
 * The error of a call on a run that has stopped.
 *
 * @param runId - the run
 * @param call - the method called
 * @returns a `TRACELET_ERR_RUN_STOPPED` error
 */
export function runStoppedError(runId: string, call: string): TraceletError {
  return new TraceletError("TRACELET_ERR_RUN_STOPPED", `${call}() was called on run "${runId}" after stop().`, {
    details: { runId, call },
  });
}

/**
 * What `exp.status()` returns: the run's state, each plugin's status and each backend's queue.
 *
 * @param run - the run's parts
 * @param state - the run's state
 * @returns the status
 */
export function runStatus(run: RunParts, state: ExperimentState): ExperimentStatus {
  const { runId: id, project, name } = run.identity;
  const plugins = run.hosts.map((h) => h.status());
  return { id, project, name, state, plugins, invalidMetrics: run.input.invalidCount, delivery: run.pipeline.status() };
}
