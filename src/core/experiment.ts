import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { Logger } from "pino";
import { BackendChannel } from "./data/backend-channel.js";
import { flattenParams } from "./data/flatten-params.js";
import { MetricBuffer } from "./data/metric-buffer.js";
import { invalidMetric, metricNameProblem, metricValue } from "./data/validate-metric.js";
import { TraceletError } from "./errors.js";
import type { CollectEvent, TraceletHooks } from "./hooks.js";
import { CollectorScheduler } from "./lifecycle/collector-scheduler.js";
import { guardRun, releaseRun } from "./lifecycle/exit-guard.js";
import type { PluginHost } from "./lifecycle/plugin-host.js";
import { runStep, stopAll } from "./lifecycle/run-plugins.js";
import type { PluginFailure, PluginStatus, RunIdentity, Timeouts } from "./types.js";

/** What the engine needs to run an experiment; built by `startExperiment`. */
export interface ExperimentInit {
  /** Run identity. */
  identity: RunIdentity;
  /** The run's hooks. */
  hooks: TraceletHooks;
  /** Plugins in start order (dependencies first). */
  hosts: PluginHost[];
  /** The root logger. */
  logger: Logger;
  /** Deadlines. */
  timeouts: Required<Timeouts>;
  /** Points per batch (default 4096). */
  batchSize?: number;
  /** Longest wait of a point in the buffer, ms (default 100). */
  flushIntervalMs?: number;
  /** What an invalid metric does: throw at the call site (default) or warn and count. */
  onInvalidMetric?: "throw" | "warn";
}

/** The state of a run. */
export type ExperimentState = "running" | "stopping" | "stopped";

/** What `exp.status()` returns. */
export interface ExperimentStatus {
  /** Run id. */
  id: string;
  /** Project. */
  project: string;
  /** Run name. */
  name: string;
  /** Run state. */
  state: ExperimentState;
  /** One entry per plugin. */
  plugins: PluginStatus[];
  /** Invalid metrics dropped with a warning (when `onInvalidMetric` is `"warn"`). */
  invalidMetrics: number;
}

/** What `exp.stop()` resolves to. */
export interface StopReport {
  /** Every isolated plugin failure of the run. */
  failures: PluginFailure[];
}

/** Options of one `logMetric` call. */
export interface LogMetricOptions {
  /** Timestamp in ms since the epoch (default now). */
  timestamp?: number;
}

/**
 * A running experiment. Create it with `startExperiment()`.
 */
export class Experiment implements AsyncDisposable {
  /** Run identity. */
  readonly identity: RunIdentity;
  /** The run's hooks; tap them to observe or extend the run. */
  readonly hooks: TraceletHooks;
  private readonly hosts: PluginHost[];
  private readonly logger: Logger;
  private readonly timeouts: Required<Timeouts>;
  private readonly buffer: MetricBuffer;
  private readonly channels: BackendChannel[] = [];
  private readonly schedulers: CollectorScheduler[] = [];
  private readonly steps = new Map<string, number>();
  private readonly failures: PluginFailure[] = [];
  private readonly onInvalidMetric: "throw" | "warn";
  private invalidCount = 0;
  private currentState: ExperimentState = "running";
  private stopping: Promise<StopReport> | undefined;

  private constructor(init: ExperimentInit) {
    this.identity = init.identity;
    this.hooks = init.hooks;
    this.hosts = init.hosts;
    this.logger = init.logger;
    this.timeouts = init.timeouts;
    this.onInvalidMetric = init.onInvalidMetric ?? "throw";
    this.buffer = new MetricBuffer({
      batchSize: init.batchSize,
      flushIntervalMs: init.flushIntervalMs,
      emit: (batch) => this.hooks.metrics.call(batch),
    });
    this.hooks.error.tap("tracelet", ({ plugin, hook, error }) => {
      this.failures.push({ plugin, hook, code: error.code, message: error.message });
    });
  }

  /**
   * Initializes and starts the plugins, then returns the running experiment.
   *
   * @param init - identity, hooks, plugins, deadlines
   * @returns the running experiment
   */
  static async start(init: ExperimentInit): Promise<Experiment> {
    const exp = new Experiment(init);
    const { hooks, identity, timeouts } = init;
    await runStep("initialize", exp.hosts, hooks, identity, timeouts, (host, signal) =>
      host.instance.initialize?.(host.config, host.context(signal)),
    );
    await runStep("start", exp.hosts, hooks, identity, timeouts, (host) => host.instance.start?.());
    for (const host of exp.hosts) {
      if (host.state !== "started") continue;
      if (host.type === "backend") {
        const channel = new BackendChannel(host, timeouts.flush);
        exp.channels.push(channel);
        hooks.metrics.tap({ name: host.name }, (batch) => channel.enqueue(batch));
      } else {
        const intervalMs = Number(host.config.intervalMs ?? 10_000);
        const scheduler = new CollectorScheduler({
          host,
          intervalMs,
          timeoutMs: Math.min(timeouts.collect, intervalMs),
          onSample: (event) => exp.ingestSample(event),
        });
        exp.schedulers.push(scheduler);
        scheduler.start();
      }
    }
    guardRun(exp);
    return exp;
  }

  /** Run id. */
  get id(): string {
    return this.identity.runId;
  }

  /** Directory of this run. */
  get runDir(): string {
    return this.identity.runDir;
  }

  /**
   * Logs one metric point. Synchronous and I/O-free: the point is buffered.
   *
   * @param name - metric name
   * @param value - a number (NaN, ±Infinity kept) or bigint
   * @param step - the step; without one, the metric's own counter (last step + 1, from 0)
   * @param options - `timestamp`
   * @throws TraceletError `TRACELET_ERR_INVALID_METRIC`, `TRACELET_ERR_RUN_STOPPED`
   */
  logMetric(name: string, value: number | bigint, step?: number, options?: LogMetricOptions): void {
    if (this.currentState === "stopped") throw this.stoppedError("logMetric");
    const problem = metricNameProblem(name);
    const number = metricValue(value);
    if (problem !== undefined || number === undefined) {
      this.reject(name, problem ?? `the value must be a number or bigint, not ${describe(value)}`);
      return;
    }
    if (step !== undefined && !Number.isSafeInteger(step)) {
      this.reject(name, `the step must be an integer, not ${describe(step)}`);
      return;
    }
    const resolved = step ?? (this.steps.get(name) ?? -1) + 1;
    this.steps.set(name, resolved);
    this.buffer.push({ name, value: number, step: resolved, timestamp: options?.timestamp ?? Date.now() });
  }

  /**
   * Logs several metrics at the same step.
   *
   * @param metrics - values by name
   * @param step - the step shared by all
   * @throws TraceletError `TRACELET_ERR_INVALID_METRIC`, `TRACELET_ERR_RUN_STOPPED`
   */
  logMetrics(metrics: Record<string, number | bigint>, step?: number): void {
    if (this.currentState === "stopped") throw this.stoppedError("logMetrics");
    if (typeof metrics !== "object" || metrics === null) {
      this.reject("(batch)", "logMetrics takes an object of values by name");
      return;
    }
    const timestamp = Date.now();
    for (const [name, value] of Object.entries(metrics)) this.logMetric(name, value, step, { timestamp });
  }

  /**
   * Logs run parameters; nested objects are flattened to dotted keys.
   *
   * @param params - parameters
   * @throws TraceletError `TRACELET_ERR_RUN_STOPPED`, `TRACELET_ERR_OPTION_INVALID`
   */
  logParams(params: Record<string, unknown>): void {
    if (this.currentState === "stopped") throw this.stoppedError("logParams");
    if (typeof params !== "object" || params === null || Array.isArray(params)) {
      throw new TraceletError("TRACELET_ERR_OPTION_INVALID", "logParams takes a plain object of parameters.");
    }
    const flat = Object.freeze(flattenParams(params));
    this.hooks.params.call(flat);
    for (const host of this.activeBackends()) {
      if (host.backend.logParams)
        void host.call("logParams", this.timeouts.flush, () => host.backend.logParams?.(flat));
    }
  }

  /**
   * Stores a file with the run, through every backend.
   *
   * @param localPath - an existing file
   * @param artifactPath - where it goes inside the run (default: its base name)
   * @throws TraceletError `TRACELET_ERR_ARTIFACT_NOT_FOUND`, `TRACELET_ERR_RUN_STOPPED`
   */
  async logArtifact(localPath: string, artifactPath?: string): Promise<void> {
    if (this.currentState === "stopped") throw this.stoppedError("logArtifact");
    const absolute = resolve(localPath);
    const info = await stat(absolute).catch(() => undefined);
    if (!info) {
      throw new TraceletError("TRACELET_ERR_ARTIFACT_NOT_FOUND", `Artifact "${localPath}" does not exist.`, {
        details: { path: absolute },
      });
    }
    const target = artifactPath ?? absolute.split(/[\\/]/).pop() ?? "artifact";
    await this.hooks.artifact.promise({ localPath: absolute, artifactPath: target });
    await Promise.all(
      this.activeBackends()
        .filter((h) => h.backend.logArtifact)
        .map((h) => h.call("logArtifact", this.timeouts.flush, () => h.backend.logArtifact?.(absolute, target))),
    );
  }

  /**
   * Resolves when every backend has accepted everything logged before the call.
   *
   * @throws TraceletError `TRACELET_ERR_RUN_STOPPED`
   */
  async flush(): Promise<void> {
    if (this.currentState === "stopped") throw this.stoppedError("flush");
    await this.flushAll();
  }

  /**
   * Stops the run: collectors stop, one last collect, flush, backends stop in reverse order.
   * Idempotent: later calls return the same report.
   *
   * @returns every isolated failure of the run
   */
  stop(): Promise<StopReport> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  /** Same as {@link Experiment.stop}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** The run's state and each plugin's status. */
  status(): ExperimentStatus {
    return {
      id: this.identity.runId,
      project: this.identity.project,
      name: this.identity.name,
      state: this.currentState,
      plugins: this.hosts.map((h) => h.status()),
      invalidMetrics: this.invalidCount,
    };
  }

  /** @internal Synchronous last resort at process exit. */
  emergencyExit(): void {
    for (const host of this.hosts) {
      try {
        host.instance.forceCleanup?.();
      } catch (error) {
        this.logger.error({ plugin: host.name, err: error }, "forceCleanup failed");
      }
    }
  }

  private ingestSample(event: CollectEvent): void {
    this.hooks.collect.call(event);
    if (this.currentState === "stopped") return;
    for (const [name, value] of Object.entries(event.values)) {
      if (metricNameProblem(name) !== undefined || typeof value !== "number") continue;
      const step = (this.steps.get(name) ?? -1) + 1;
      this.steps.set(name, step);
      this.buffer.push({ name, value, step, timestamp: event.timestamp });
    }
  }

  private async flushAll(): Promise<void> {
    this.buffer.drain();
    await Promise.all(this.channels.map((c) => c.idle()));
    await Promise.all(
      this.activeBackends()
        .filter((h) => h.backend.flush)
        .map((h) => h.call("flush", this.timeouts.flush, () => h.backend.flush?.())),
    );
    await this.hooks.flush.promise();
  }

  private async shutdown(): Promise<StopReport> {
    this.currentState = "stopping";
    await Promise.all(this.schedulers.map((s) => s.stop()));
    await Promise.all(this.schedulers.map((s) => s.sampleNow()));
    await this.flushAll();
    await stopAll(this.hosts, this.hooks, this.identity, this.timeouts);
    this.currentState = "stopped";
    releaseRun(this);
    return { failures: [...this.failures] };
  }

  private activeBackends(): PluginHost[] {
    return this.hosts.filter((h) => h.type === "backend" && h.active);
  }

  private reject(name: unknown, reason: string): void {
    const error = invalidMetric(name, reason);
    if (this.onInvalidMetric === "throw") throw error;
    this.invalidCount++;
    // Rate-limited: the first, then every 1000th.
    if (this.invalidCount === 1 || this.invalidCount % 1000 === 0) {
      this.logger.warn({ code: error.code, count: this.invalidCount }, error.message);
    }
  }

  private stoppedError(call: string): TraceletError {
    return new TraceletError(
      "TRACELET_ERR_RUN_STOPPED",
      `${call}() was called on run "${this.identity.runId}" after stop().`,
      {
        details: { runId: this.identity.runId, call },
      },
    );
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") return `the string ${JSON.stringify(value.slice(0, 20))}`;
  return typeof value;
}
