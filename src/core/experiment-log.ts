import { checkArtifactPath } from "./data/artifact-path.js";
import type { CoarseClock } from "./data/coarse-clock.js";
import type { MetricBuffer } from "./data/metric-buffer.js";
import type { MetricInput } from "./data/metric-input.js";
import type { NameTable } from "./data/name-table.js";
import type { TraceletError } from "./errors.js";
import { createRunParts, type RunParts, runStoppedError } from "./experiment-run.js";
import type { ExperimentInit, LogMetricOptions } from "./experiment-types.js";
import { type CollectEvent, type HookTaps, hookTaps } from "./hooks.js";
import type { RunIdentity } from "./types.js";

/**
 * The logging half of an {@link Experiment}: metrics (the hot path), params, tags and
 * artifacts, each refused with `TRACELET_ERR_RUN_STOPPED` once the run has closed.
 */
export abstract class RunLog {
  /** Run identity. */
  readonly identity: RunIdentity;
  /**
   * The run's hooks, to observe the run: each can be tapped, never called, and every tap gets
   * read-only copies (see {@link HookTaps}).
   */
  readonly hooks: HookTaps;
  /** @internal The run's parts (data path, side calls, collectors). */
  protected readonly run: RunParts;
  /** @internal Set once logging has closed (late in `stop()`, or at exit). */
  protected closed = false;
  private readonly table: NameTable;
  private readonly buffer: MetricBuffer;
  private readonly clock: CoarseClock;
  private readonly input: MetricInput;

  /** @param init - identity, hooks, plugins, deadlines and data-path options */
  protected constructor(init: ExperimentInit) {
    this.identity = init.identity;
    this.hooks = hookTaps(init.hooks);
    this.run = createRunParts(init, { onSample: (event) => this.ingestSample(event) });
    this.input = this.run.input;
    this.table = this.run.pipeline.names;
    this.buffer = this.run.pipeline.buffer;
    this.clock = this.run.pipeline.clock;
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
    return this.run.side.currentTags;
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
    this.run.side.params(params);
  }

  /**
   * Adds or replaces run tags (merged with the run's tags) and sends them to every backend.
   *
   * @param tags - string values by key
   * @throws TraceletError `TRACELET_ERR_RUN_STOPPED`, `TRACELET_ERR_OPTION_INVALID`
   */
  setTags(tags: Record<string, string>): void {
    if (this.closed) throw this.stoppedError("setTags");
    this.run.side.setTags(tags);
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
    await this.run.side.artifact(localPath, artifactPath === undefined ? undefined : checkArtifactPath(artifactPath));
  }

  /**
   * Receives one collector sample: fires the `collect` hook and logs the values.
   *
   * @param event - the sample
   * @internal
   */
  protected ingestSample(event: CollectEvent): void {
    this.run.hooks.collect.call(event);
    if (!this.closed) this.input.ingest(event.values, event.timestamp);
  }

  /**
   * The error of a call made after the run stopped.
   *
   * @param call - the method called
   * @returns a `TRACELET_ERR_RUN_STOPPED` error
   * @internal
   */
  protected stoppedError(call: string): TraceletError {
    return runStoppedError(this.identity.runId, call);
  }
}
