import { join, resolve } from "node:path";
import { columnsOf } from "../../core/data/metric-columns.js";
import type { RunEnd } from "../../core/run-end.js";
import type { MetricColumns, MetricRecord, PluginContext } from "../../core/types.js";
import { BackendPlugin } from "../../plugins/authoring/base.js";
import { EventFiles } from "./event-file.js";
import { hparamsEvent, ScalarEncoder, textEvent } from "./events.js";
import { tensorboardMetadata } from "./metadata.js";

/** Config of the `tensorboard` backend. */
export interface TensorboardConfig {
  /** TensorBoard's `--logdir`; each run writes into `<logdir>/<project>/<runId>/`. */
  logdir?: string;
  /** Size past which the next batch starts a new event file (default 128 MiB). */
  maxFileBytes?: number;
  /** fdatasync the event file on flush and stop, and in the thread pool every 4 MiB written (default true). */
  fsync?: boolean;
  /** Also write params as the HParams plugin's session info (default true). */
  hparams?: boolean;
}

/**
 * Writes TensorBoard event files: `<logdir>/<project>/<runId>/events.out.tfevents.<secs>.<host>.<pid>.<n>`
 * (a `worker-<id>` subfolder per worker in a distributed run). Each file starts with the
 * `brain.Event:2` file version; each point is one scalar event with its own wall time and step;
 * params are a `params` text summary and the HParams plugin's session info. A batch is one write,
 * wholly in the file or (after a failed write, cut back) not at all.
 */
export class TensorboardBackend extends BackendPlugin<TensorboardConfig> {
  /** Static metadata, so the class can be registered by hand too. */
  static metadata = tensorboardMetadata;
  private files: EventFiles | undefined;
  private readonly encoder = new ScalarEncoder();
  private readonly params: Record<string, unknown> = {};
  private paramWrites = 0;
  private dir = "";
  private written = 0;

  /** The run's folder. */
  get directory(): string {
    return this.dir;
  }

  override async initialize(config: Readonly<TensorboardConfig>, context: PluginContext): Promise<void> {
    await super.initialize(config, context);
    const run = context.run;
    const base = join(resolve(config.logdir ?? "./tracelet-runs/tensorboard"), run.project, run.runId);
    this.dir = run.workerCount > 1 ? join(base, `worker-${run.workerId}`) : base;
  }

  override start(): void {
    this.files = new EventFiles(this.dir, this.config.maxFileBytes ?? 134_217_728, this.config.fsync !== false);
  }

  logMetric(name: string, value: number, step = 0, timestamp = Date.now()): void {
    this.logMetricColumns(columnsOf([{ name, value, step, timestamp }]));
  }

  /**
   * Writes a batch of records (put in columns: one write path, see
   * {@link TensorboardBackend.logMetricColumns}).
   *
   * @param batch - the points
   */
  override logMetrics(batch: MetricRecord[]): void {
    this.logMetricColumns(columnsOf(batch));
  }

  /**
   * Writes a batch as scalar events, in one write: wholly in the file, or (cut back after a
   * failure) not at all. What the engine calls (no object per point).
   *
   * @param batch - the points, in columns
   */
  override logMetricColumns(batch: MetricColumns): void {
    this.started().write(this.encoder.encode(batch));
    this.written += batch.length;
  }

  override logParams(params: Record<string, unknown>): void {
    const files = this.started();
    const merged = { ...this.params, ...params };
    const now = Date.now() / 1000;
    const events = [textEvent("params", paramsTable(merged), now, this.paramWrites)];
    if (this.config.hparams !== false) events.push(hparamsEvent(merged, now, this.context.run.runId));
    files.write(Buffer.concat(events));
    Object.assign(this.params, params);
    this.paramWrites++;
  }

  /**
   * Writes the tags as a `tags` text summary.
   *
   * @param tags - the run's tags
   */
  override setTags(tags: Record<string, string>): void {
    this.started().write(textEvent("tags", paramsTable(tags), Date.now() / 1000, 0));
  }

  override async flush(): Promise<void> {
    await this.files?.sync();
  }

  override async stop(_end?: RunEnd): Promise<void> {
    const files = this.files;
    this.files = undefined;
    if (!files) return;
    await files.close();
  }

  override getStatus(): Record<string, unknown> {
    return { dir: this.dir, file: this.files?.current ?? "", files: this.files?.files ?? 0, points: this.written };
  }

  private started(): EventFiles {
    if (!this.files) throw new Error("tensorboard backend is not started");
    return this.files;
  }
}

/** A Markdown table of key/value pairs (`|` and line breaks escaped), as the text plugin shows it. */
function paramsTable(values: Record<string, unknown>): string {
  const cell = (v: unknown): string =>
    (typeof v === "string" ? v : (JSON.stringify(v) ?? String(v))).replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
  const rows = Object.keys(values)
    .sort()
    .map((k) => `| ${cell(k)} | ${cell(values[k])} |`);
  return ["| name | value |", "| --- | --- |", ...rows].join("\n");
}
