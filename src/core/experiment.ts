import type { Logger } from "pino";
import { checkArtifactPath } from "./data/artifact-path.js";
import type { CoarseClock } from "./data/coarse-clock.js";
import type { MetricBuffer } from "./data/metric-buffer.js";
import { MetricInput } from "./data/metric-input.js";
import { MetricPipeline } from "./data/metric-pipeline.js";
import type { NameTable } from "./data/name-table.js";
import { SideCalls } from "./data/side-calls.js";
import { TraceletError } from "./errors.js";
import type {
  ExperimentInit,
  ExperimentState,
  ExperimentStatus,
  LogMetricOptions,
  StopReport,
} from "./experiment-types.js";
import type { CollectEvent, TraceletHooks } from "./hooks.js";
import { CollectorScheduler } from "./lifecycle/collector-scheduler.js";
import { guardRun, releaseRun } from "./lifecycle/exit-guard.js";
import { forceCleanupAll } from "./lifecycle/force-cleanup.js";
import type { PluginHost } from "./lifecycle/plugin-host.js";
import { runStep, stopAll } from "./lifecycle/run-plugins.js";
import type { PluginFailure, RunIdentity, Timeouts } from "./types.js";

export type { ExperimentInit, ExperimentState, ExperimentStatus, LogMetricOptions, StopReport };

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
  private readonly pipeline: MetricPipeline;
  private readonly table: NameTable;
  private readonly buffer: MetricBuffer;
  private readonly clock: CoarseClock;
  private readonly side: SideCalls;
  private readonly schedulers: CollectorScheduler[] = [];
  private readonly failures: PluginFailure[] = [];
  private readonly input: MetricInput;
  private closed = false;
  private currentState: ExperimentState = "running";
  private stopping: Promise<StopReport> | undefined;

  private constructor(init: ExperimentInit) {
    this.identity = init.identity;
    this.hooks = init.hooks;
    this.hosts = init.hosts;
    this.logger = init.logger;
    this.timeouts = init.timeouts;
    this.pipeline = new MetricPipeline({
      hooks: init.hooks,
      identity: init.identity,
      logger: init.logger,
      batchSize: init.batchSize,
      flushIntervalMs: init.flushIntervalMs,
      maxQueuedPoints: init.maxQueuedPoints,
      retry: init.retry,
      timeouts: init.timeouts,
    });
    this.table = this.pipeline.names;
    this.buffer = this.pipeline.buffer;
    this.clock = this.pipeline.clock;
    this.input = new MetricInput({
      table: this.table,
      buffer: this.buffer,
      clock: this.clock,
      onInvalid: init.onInvalidMetric,
      logger: init.logger,
    });
    this.side = new SideCalls(init.hosts, init.hooks, init.timeouts, init.identity.tags);
    this.hooks.error.tap("tracelet", ({ plugin, hook, error }) => {
      this.failures.push({ plugin, hook, code: error.code, message: error.message });
    });
  }

  /**
   * Initializes and starts the plugins, then returns the running experiment. Use
   * `startExperiment()`, which builds the `init` this takes.
   *
   * @param init - identity, hooks, plugins, deadlines
   * @returns the running experiment
   * @internal
   */
  static async start(init: ExperimentInit): Promise<Experiment> {
    const exp = new Experiment(init);
    const { hooks, identity, timeouts } = init;
    await runStep("initialize", exp.hosts, hooks, identity, timeouts, (host, signal) =>
      host.instance.initialize?.(host.config, host.context(signal)),
    );
    await runStep("start", exp.hosts, hooks, identity, timeouts, (host) => host.instance.start?.());
    for (const host of exp.hosts) {
      // A backend that failed still gets a (spool-only) channel, so its points are not lost.
      if (host.type === "backend") exp.pipeline.attach(host);
      else if (host.state === "started") {
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
    // Gathering params (git, inventory, a GPU's first rows) can take seconds: it must not delay
    // the start of training, so it runs in the background; flush() and stop() wait for it.
    void exp.side.track(exp.logCollectorParams()).catch((error: unknown) => {
      exp.logger.error({ err: error }, "collector params could not be logged");
    });
    guardRun(exp);
    return exp;
  }

  // Collectors may describe the run once (git, environment, inventory) through `params()`.
  private async logCollectorParams(): Promise<void> {
    const hosts = this.hosts.filter((h) => h.type === "collector" && h.state === "started" && h.collector.params);
    const results = await Promise.all(
      hosts.map((h) => h.call("logParams", this.timeouts.start, () => h.collector.params?.())),
    );
    for (const result of results) {
      // Straight to the side calls: these params belong to the run even when stop() has begun.
      if (result.ok && result.value && typeof result.value === "object" && Object.keys(result.value).length > 0)
        this.side.params(result.value);
    }
  }

  /** Run id. */
  get id(): string {
    return this.identity.runId;
  }

  /** Directory of this run. */
  get runDir(): string {
    return this.identity.runDir;
  }

  /** The run's tags: those it started with, merged with every `setTags` since. */
  get tags(): Readonly<Record<string, string>> {
    return this.side.currentTags;
  }

  /**
   * Logs one metric point. Synchronous, no I/O, no allocation: the point goes into the run's
   * columnar buffer and leaves in a batch (4,096 points or 100 ms by default).
   *
   * @param name - metric name (non-empty, at most 250 UTF-16 units, no control characters)
   * @param value - a number (NaN and ±Infinity kept) or a bigint (converted to the nearest number)
   * @param step - a non-negative integer; without one, the metric's own counter (last step + 1, from 0)
   * @param options - `timestamp` (ms since the epoch; default now)
   * @throws TraceletError `TRACELET_ERR_INVALID_METRIC` (unless `onInvalidMetric: "warn"`),
   *   `TRACELET_ERR_RUN_STOPPED`
   * @example
   * ```ts
   * exp.logMetric("loss", 0.42, 1);
   * ```
   */
  logMetric(name: string, value: number | bigint, step?: number, options?: LogMetricOptions): void {
    if (this.closed) throw this.stoppedError("logMetric");
    const table = this.table;
    const id = table.ids.get(name);
    let s = step;
    // Everything unusual (a new name, a bigint, a timestamp, bad input) takes the slow path,
    // which keeps this method small enough for V8 to inline into the caller's loop.
    if (id !== undefined && typeof value === "number" && options === undefined) {
      if (s === undefined) s = table.next[id];
      if (Number.isSafeInteger(s) && s >= 0) {
        table.next[id] = s + 1;
        const clock = this.clock;
        this.buffer.push(id, value, s, --clock.budget > 0 ? clock.now : clock.read());
        return;
      }
    }
    this.input.log(name, value, step, options?.timestamp);
  }

  /**
   * Logs several metrics at the same step and timestamp. Every entry is checked before any is
   * logged, so an invalid one (thrown) logs none of them; in `"warn"` mode the valid ones are logged.
   *
   * @param metrics - values by name
   * @param step - the step shared by all; without one, each metric's own counter
   * @throws TraceletError `TRACELET_ERR_INVALID_METRIC`, `TRACELET_ERR_RUN_STOPPED`
   */
  logMetrics(metrics: Record<string, number | bigint>, step?: number): void {
    if (this.closed) throw this.stoppedError("logMetrics");
    this.input.logMany(metrics, step);
  }

  /**
   * Logs run parameters; nested plain objects are flattened to dotted keys
   * (`{ opt: { lr: 1 } }` → `{ "opt.lr": 1 }`), arrays and other values are kept as they are.
   *
   * @param params - parameters
   * @throws TraceletError `TRACELET_ERR_RUN_STOPPED`, `TRACELET_ERR_OPTION_INVALID`
   */
  logParams(params: Record<string, unknown>): void {
    if (this.closed) throw this.stoppedError("logParams");
    this.side.params(params);
  }

  /**
   * Adds or replaces run tags (merged with the run's tags) and sends them to every backend.
   *
   * @param tags - string values by key
   * @throws TraceletError `TRACELET_ERR_RUN_STOPPED`, `TRACELET_ERR_OPTION_INVALID`
   */
  setTags(tags: Record<string, string>): void {
    if (this.closed) throw this.stoppedError("setTags");
    this.side.setTags(tags);
  }

  /**
   * Stores a file or a directory with the run, through every backend. Tracelet never reads it
   * into memory; backends copy or stream it.
   *
   * @param localPath - an existing file or directory
   * @param artifactPath - where it goes inside the run (default: its base name)
   * @throws TraceletError `TRACELET_ERR_ARTIFACT_NOT_FOUND`, `TRACELET_ERR_ARTIFACT_PATH_INVALID`,
   *   `TRACELET_ERR_RUN_STOPPED`
   */
  async logArtifact(localPath: string, artifactPath?: string): Promise<void> {
    if (this.closed) throw this.stoppedError("logArtifact");
    await this.side.artifact(localPath, artifactPath === undefined ? undefined : checkArtifactPath(artifactPath));
  }

  /**
   * Resolves when every backend has accepted everything logged before the call and made it
   * durable (its `flush()`); a backend in an outage has it in its spool on disk by then.
   *
   * @throws TraceletError `TRACELET_ERR_RUN_STOPPED`
   */
  async flush(): Promise<void> {
    if (this.currentState === "stopped") throw this.stoppedError("flush");
    await this.flushAll();
  }

  /**
   * Stops the run: collectors stop, one last collect, flush, then logging closes, the points
   * logged meanwhile are delivered, and backends stop in reverse start order. Idempotent.
   *
   * @returns every isolated failure of the run, and points left in spools
   */
  stop(): Promise<StopReport> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  /** Same as {@link Experiment.stop}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** The run's state, each plugin's status and each backend's queue. */
  status(): ExperimentStatus {
    return {
      id: this.identity.runId,
      project: this.identity.project,
      name: this.identity.name,
      state: this.currentState,
      plugins: this.hosts.map((h) => h.status()),
      invalidMetrics: this.input.invalidCount,
      delivery: this.pipeline.status(),
    };
  }

  /**
   * Synchronous last resort at process exit without `stop()`: every pending point is written
   * to the spools, then lifecycle-aware plugins get `forceCleanup()`.
   *
   * @internal
   */
  emergencyExit(): void {
    if (this.currentState !== "stopped") {
      this.closed = true;
      try {
        const left = this.pipeline.emergencyExit();
        if (Object.keys(left).length > 0) this.logger.warn({ spooled: left, runDir: this.runDir }, "spooled at exit");
      } catch (error) {
        this.logger.error({ err: error }, "could not spool pending points at exit");
      }
    }
    forceCleanupAll(this.hosts, this.logger);
  }

  /** @internal How long the exit guard waits for `stop()` on a signal, ms. */
  get shutdownTimeoutMs(): number {
    return this.timeouts.shutdown;
  }

  private ingestSample(event: CollectEvent): void {
    this.hooks.collect.call(event);
    if (!this.closed) this.input.ingest(event.values, event.timestamp);
  }

  private async flushAll(): Promise<void> {
    await this.pipeline.settle(this.timeouts.flush);
    await this.side.settle();
    await this.flushBackends();
    await this.hooks.flush.promise();
  }

  private async flushBackends(): Promise<void> {
    await Promise.all(
      this.hosts
        .filter((h) => h.type === "backend" && h.active && h.backend.flush)
        .map((h) => h.call("flush", this.timeouts.flush, () => h.backend.flush?.())),
    );
  }

  private async shutdown(): Promise<StopReport> {
    const began = performance.now();
    this.currentState = "stopping";
    let spooled: Record<string, number> = {};
    // Whatever throws, the run ends "stopped" and the exit guard lets go of it.
    try {
      await Promise.all(this.schedulers.map((s) => s.stop()));
      await Promise.all(this.schedulers.map((s) => s.sampleNow()));
      await this.flushAll();
      // From here on logging and side calls throw; what was logged while stopping is still delivered.
      this.closed = true;
      spooled = await this.pipeline.close(this.timeouts.flush);
      await this.side.settle();
      await this.flushBackends();
      if (Object.keys(spooled).length > 0) {
        this.logger.warn(
          { spooled, runDir: this.runDir },
          `points left in the spool; run "tracelet sync ${this.runDir}"`,
        );
      }
      await stopAll(this.hosts, this.hooks, this.identity, this.timeouts, this.logger, began);
    } finally {
      this.closed = true;
      this.currentState = "stopped";
      releaseRun(this);
    }
    return { failures: [...this.failures], spooled };
  }

  private stoppedError(call: string): TraceletError {
    return new TraceletError(
      "TRACELET_ERR_RUN_STOPPED",
      `${call}() was called on run "${this.identity.runId}" after stop().`,
      { details: { runId: this.identity.runId, call } },
    );
  }
}
