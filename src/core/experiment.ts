import { dirname } from "node:path";
import type { Logger } from "pino";
import { checkArtifactPath } from "./data/artifact-path.js";
import type { ChannelStatus } from "./data/backend-channel-types.js";
import type { RetryOptions } from "./data/backoff.js";
import type { CoarseClock } from "./data/coarse-clock.js";
import type { MetricBuffer } from "./data/metric-buffer.js";
import { MetricInput } from "./data/metric-input.js";
import { MetricPipeline } from "./data/metric-pipeline.js";
import type { NameTable } from "./data/name-table.js";
import { SideCalls } from "./data/side-calls.js";
import { TraceletError } from "./errors.js";
import { failureCause } from "./failure-cause.js";
import { type CollectEvent, type HookTaps, hookTaps, type TraceletHooks } from "./hooks.js";
import { CollectorParams } from "./lifecycle/collector-params.js";
import { CollectorScheduler } from "./lifecycle/collector-scheduler.js";
import { guardRun, releaseRun } from "./lifecycle/exit-guard.js";
import { forceCleanupAll } from "./lifecycle/force-cleanup.js";
import type { PluginHost } from "./lifecycle/plugin-host.js";
import { bringUp, stopAll } from "./lifecycle/run-plugins.js";
import { FINISHED, type RunEnd } from "./run-end.js";
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
  /** Bytes of batches per backend held in memory before batches spill to the spool (default 32 MiB). */
  maxQueuedBytes?: number;
  /** Points per backend held in memory before batches spill to the spool (default: the byte bound alone). */
  maxQueuedPoints?: number;
  /** Retry delays of a failing backend, and whether failed deliveries ever quarantine it. */
  retry?: RetryOptions;
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
  /** Each backend's queue: points in memory, points spooled on disk, outage, retries. */
  delivery: Record<string, ChannelStatus>;
}

/** What `exp.stop()` resolves to. */
export interface StopReport {
  /** Every isolated plugin failure of the run. */
  failures: PluginFailure[];
  /**
   * Points that could not be delivered before the deadline and wait in
   * `<run dir>/spool/<backend>/`, by backend; replay them with `tracelet sync <run dir>`.
   */
  spooled: Record<string, number>;
  /**
   * Of {@link StopReport.spooled}, the points of a delivery call that was still running when the
   * deadline passed, by backend: should that call succeed late, they leave the spool (so nothing
   * is sent twice) and `tracelet sync` replays that many fewer. Empty when no call was running.
   */
  inFlight: Record<string, number>;
  /**
   * Where each backend of {@link StopReport.spooled} has its spool: `<run dir>/spool/<backend>`,
   * or, when the run directory refused writes, a directory under the OS temporary directory.
   */
  spoolDirs: Record<string, string>;
  /** The `tracelet sync` command lines that deliver what was spooled (none when nothing was). */
  sync: string[];
}

/** Options of one `logMetric` call. */
export interface LogMetricOptions {
  /** Timestamp in ms since the epoch (default now). */
  timestamp?: number;
}

/**
 * A running experiment. Create it with `startExperiment()`.
 *
 * It logs metrics (the hot path: a columnar buffer sealed into batches for the metric
 * pipeline), params, tags and artifacts (side calls to every backend), schedules the
 * collectors, and stops everything in order: collectors, flush, then backends in reverse start
 * order, reporting every isolated failure and every point left in a spool.
 */
export class Experiment implements AsyncDisposable {
  /** Run identity. */
  readonly identity: RunIdentity;
  /**
   * The run's hooks, to observe the run: each can be tapped, never called, and every tap gets
   * read-only copies (see {@link HookTaps}).
   */
  readonly hooks: HookTaps;
  private readonly runHooks: TraceletHooks;
  private readonly hosts: PluginHost[];
  private readonly logger: Logger;
  private readonly timeouts: Required<Timeouts>;
  // The data path: the pipeline to the backends, and the parts of it the hot path touches.
  private readonly pipeline: MetricPipeline;
  private readonly table: NameTable;
  private readonly buffer: MetricBuffer;
  private readonly clock: CoarseClock;
  private readonly input: MetricInput;
  // Params, tags and artifacts on their way to the backends.
  private readonly side: SideCalls;
  private readonly schedules: CollectorScheduler;
  // The collectors' params, logged once each.
  private readonly params: CollectorParams;
  private readonly failures: PluginFailure[] = [];
  private currentState: ExperimentState = "running";
  // Set once logging has closed (late in `stop()`, or at exit).
  private closed = false;
  private stopping: Promise<StopReport> | undefined;
  private end: RunEnd | undefined;

  private constructor(init: ExperimentInit) {
    const { identity, hooks, hosts, logger, timeouts } = init;
    this.identity = identity;
    this.hooks = hookTaps(hooks);
    this.runHooks = hooks;
    this.hosts = hosts;
    this.logger = logger;
    this.timeouts = timeouts;
    this.pipeline = new MetricPipeline({
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
    const { names: table, buffer, clock } = this.pipeline;
    this.table = table;
    this.buffer = buffer;
    this.clock = clock;
    this.input = new MetricInput({ table, buffer, clock, onInvalid: init.onInvalidMetric, logger });
    this.side = new SideCalls(hosts, hooks, timeouts, identity.tags);
    this.params = new CollectorParams(timeouts.start, (values) => this.side.params(values));
    this.schedules = new CollectorScheduler({
      collectTimeoutMs: timeouts.collect,
      onSample: (event) => this.ingestSample(event),
      // A collector enabled mid-run describes the run too (once: a reload does not log again).
      onStarted: (host) => this.logCollectorParams([host]),
    });
    hooks.error.tap("tracelet", ({ plugin, hook, error }) => {
      this.failures.push({ plugin, hook, code: error.code, message: error.message, cause: failureCause(error) });
    });
  }

  /**
   * Initializes and starts the plugins in dependency order (each isolated), gives every backend
   * its channel, schedules the started collectors (following them for the rest of the run), then
   * returns the running experiment. Use `startExperiment()`, which builds the `init` this takes.
   *
   * @param init - identity, hooks, plugins, deadlines
   * @returns the running experiment
   * @internal
   */
  static async start(init: ExperimentInit): Promise<Experiment> {
    const exp = new Experiment(init);
    const { hosts } = exp;
    await bringUp(hosts, exp.runHooks, exp.identity, exp.timeouts);
    // A backend that failed (or is disabled) still gets a (spool-only) channel, so its points are not lost.
    for (const host of hosts) if (host.type === "backend") exp.pipeline.attach(host);
    exp.schedules.watch(hosts);
    exp.logCollectorParams(hosts);
    guardRun(exp);
    return exp;
  }

  /** Run id. */
  get id(): string {
    return this.identity.runId;
  }

  /** Run id: the same as {@link Experiment.id}, under the name the option and `run.json` use. */
  get runId(): string {
    return this.id;
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
    // Everything unusual (a new name, a bigint, bad input) takes the slow path, which keeps this
    // method small enough for V8 to inline into the caller's loop. A valid explicit timestamp
    // stays on the fast path (a replayed or imported history logs one per point).
    if (id !== undefined && typeof value === "number") {
      const at = options?.timestamp as number;
      if (s === undefined) s = table.next[id];
      if (Number.isSafeInteger(s) && s >= 0 && (options === undefined || (Number.isSafeInteger(at) && at >= 0))) {
        table.next[id] = s + 1;
        const clock = this.clock;
        this.buffer.push(id, value, s, options !== undefined ? at : --clock.budget > 0 ? clock.now : clock.read());
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
   * durable (its `flush()`); a backend in an outage has it in its spool on disk by then. Fires
   * the `flush` hook.
   *
   * @throws TraceletError `TRACELET_ERR_RUN_STOPPED`
   */
  async flush(): Promise<void> {
    if (this.currentState === "stopped") throw this.stoppedError("flush");
    await this.flushAll();
  }

  /**
   * Stops the run: collectors stop, one last collect, flush, then logging closes, the points
   * logged meanwhile are delivered, and backends stop in reverse start order, all within the
   * shutdown deadline. Idempotent.
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
    const { runId: id, project, name } = this.identity;
    const plugins = this.hosts.map((h) => h.status());
    const state = this.currentState;
    return {
      id,
      project,
      name,
      state,
      plugins,
      invalidMetrics: this.input.invalidCount,
      delivery: this.pipeline.status(),
    };
  }

  /**
   * Synchronous last resort at process exit without `stop()`: every pending point is written
   * to the spools (unless the run already stopped), then lifecycle-aware plugins get
   * `forceCleanup()`.
   *
   * @internal
   */
  emergencyExit(): void {
    const stopped = this.currentState === "stopped";
    this.closed = true;
    if (!stopped) {
      try {
        const left = this.pipeline.emergencyExit();
        if (Object.keys(left).length > 0)
          this.logger.warn({ spooled: left, runDir: this.identity.runDir }, "spooled at exit");
      } catch (error) {
        this.logger.error({ err: error }, "could not spool pending points at exit");
      }
    }
    forceCleanupAll(this.hosts, this.logger);
  }

  /**
   * Records how the run is ending (the exit guard: a signal, an uncaught error) before it stops;
   * the first one wins, and a run already stopping keeps its own.
   *
   * @param end - how it ends
   * @internal
   */
  endAs(end: RunEnd): void {
    if (!this.stopping) this.end ??= end;
  }

  /** @internal How long the exit guard waits for `stop()` on a signal, ms. */
  get shutdownTimeoutMs(): number {
    return this.timeouts.shutdown;
  }

  // The shutdown sequence, within the shutdown deadline counted from its start. Whatever
  // throws, the run ends "stopped" and the exit guard lets go of it.
  private async shutdown(): Promise<StopReport> {
    const began = performance.now();
    this.currentState = "stopping";
    let left: Omit<StopReport, "failures"> = { spooled: {}, inFlight: {}, spoolDirs: {}, sync: [] };
    try {
      await this.schedules.stop();
      await this.schedules.sampleNow();
      await this.flushAll();
      // From here on logging and side calls throw; what was logged while stopping is still delivered.
      this.closed = true;
      const { spooled, inFlight } = await this.pipeline.close(this.timeouts.flush);
      await this.side.settle();
      await this.flushBackends();
      left = this.spoolReport(spooled, inFlight);
      if (left.sync.length > 0) {
        this.logger.warn(
          { spooled, spoolDirs: left.spoolDirs },
          `points left in the spool; run "${left.sync.join('" and "')}"`,
        );
      }
      const end = this.end ?? FINISHED;
      await stopAll(this.hosts, this.runHooks, this.identity, this.timeouts, this.logger, began, end);
    } finally {
      this.closed = true;
      this.currentState = "stopped";
      releaseRun(this);
    }
    return { failures: [...this.failures], ...left };
  }

  // Everything logged so far to the backends, their `flush()`, then the `flush` hook.
  private async flushAll(): Promise<void> {
    await this.pipeline.settle(this.timeouts.flush);
    await this.side.settle();
    await this.flushBackends();
    await this.runHooks.flush.promise();
  }

  private async flushBackends(): Promise<void> {
    await Promise.all(
      this.hosts
        .filter((h) => h.type === "backend" && h.active && h.backend.flush)
        .map((h) => h.call("flush", this.timeouts.flush, () => h.backend.flush?.())),
    );
  }

  // Each spool is `<root>/spool/<backend>`, the root being the run dir or its fallback.
  private spoolReport(spooled: Record<string, number>, inFlight: Record<string, number>): Omit<StopReport, "failures"> {
    const status = this.pipeline.status();
    const spoolDirs: Record<string, string> = {};
    const roots = new Set<string>();
    for (const name of Object.keys(spooled)) {
      const dir = status[name]?.spoolDir;
      if (!dir) continue;
      spoolDirs[name] = dir;
      roots.add(dirname(dirname(dir)));
    }
    const sync = [...roots].map((root) => `tracelet sync ${JSON.stringify(root)}`);
    return { spooled, inFlight, spoolDirs, sync };
  }

  // Logs the params of started collectors not logged yet, in the background: gathering them
  // (git, inventory, a GPU's first rows) can take seconds and must not delay training;
  // `flush()` and `stop()` wait for it.
  private logCollectorParams(hosts: readonly PluginHost[]): void {
    void this.side.track(this.params.log(hosts)).catch((error: unknown) => {
      this.logger.error({ err: error }, "collector params could not be logged");
    });
  }

  // One collector sample: the `collect` hook fires, and the values are logged while the run is open.
  private ingestSample(event: CollectEvent): void {
    this.runHooks.collect.call(event);
    if (!this.closed) this.input.ingest(event.values, event.timestamp);
  }

  private stoppedError(call: string): TraceletError {
    return new TraceletError(
      "TRACELET_ERR_RUN_STOPPED",
      `${call}() was called on run "${this.identity.runId}" after stop().`,
      { details: { runId: this.identity.runId, call } },
    );
  }
}
