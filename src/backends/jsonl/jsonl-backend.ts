import {
  closeSync,
  fdatasync,
  fstatSync,
  ftruncateSync,
  openSync,
  readSync,
  renameSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { cp, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { columnsOf } from "../../core/data/metric-columns.js";
import { RecordEncoder } from "../../core/data/record-codec.js";
import { TraceletError } from "../../core/errors.js";
import type { RunEnd, RunEndStatus } from "../../core/run-end.js";
import type { MetricColumns, MetricRecord, PluginContext } from "../../core/types.js";
import { BackendPlugin } from "../../plugins/authoring/base.js";
import { artifactTarget } from "./artifact-target.js";
import { jsonlMetadata } from "./metadata.js";
import { QUIET_HEARTBEAT_MS, RunSummaryWriter, writerFiles } from "./run-summary.js";

const datasync = promisify(fdatasync);
const SLICE = 1024;
/** Bytes appended after which `metrics.jsonl` is fdatasynced in the thread pool (see syncAhead). */
const SYNC_AHEAD_BYTES = 4 * 1024 * 1024;
/**
 * Background fdatasyncs under way, at most: fdatasyncs of one file mostly run one after the
 * other anyway, and the thread pool's other threads (4 by default) stay free for the spool's
 * reads, DNS lookups and the rest of the process.
 */
const MAX_SYNCS_AHEAD = 2;
/** How often a live run refreshes `heartbeatAt` in `run.json`, ms (with its summary's quiet rewrite). */
export const HEARTBEAT_INTERVAL_MS = QUIET_HEARTBEAT_MS;
const ENDED: ReadonlySet<string> = new Set<RunEndStatus>(["finished", "interrupted", "failed"]);

/** Config of the `jsonl` backend. */
export interface JsonlConfig {
  /** Base directory; the run goes to `<dir>/<project>/<runId>`. */
  dir?: string;
  /**
   * fdatasync on flush and stop, when something was written since the last one, and in the thread
   * pool every 4 MiB appended (default true).
   */
  fsync?: boolean;
}

/**
 * The embedded default backend: `<dir>/<project>/<runId>/{run.json, metrics.jsonl,
 * params.json, artifacts/}`. `metrics.jsonl` is append-only; each batch is one write; flush and
 * stop fdatasync it when something was written since the last fdatasync began, and resolve only
 * once every sync started before them has finished; a torn last line left by a crash is closed
 * off before appending. `run.json` says how the run ended (`finished`, `interrupted` with the
 * signal, `failed` with the error's code and message); while it runs it says `running` with the
 * process's `pid`, `hostname` and a `heartbeatAt` refreshed every `heartbeatIntervalMs`, so a
 * reader can tell a run whose process vanished (crashed) from a live one.
 */
export class JsonlBackend extends BackendPlugin<JsonlConfig> {
  /** Static metadata, so the class can be registered by hand too. */
  static metadata = jsonlMetadata;
  private runDir = "";
  private fd: number | undefined;
  private readonly encoder = new RecordEncoder();
  private params: Record<string, unknown> = {};
  private tags: Record<string, string> = {};
  private written = 0;
  /**
   * The file's length when the last fdatasync (a flush's or a background one) started, and when
   * the last one that succeeded started: a flush starts none when nothing was appended since
   * one began, and a failed one sends the next flush back to what is known durable.
   */
  private syncStarted = 0;
  private durable = 0;
  /** The last flush's fdatasync; each starts after the one before has settled. */
  private syncing: Promise<void> | undefined;
  /** Bytes appended since the last fdatasync started, and the background ones running. */
  private sinceSync = 0;
  private readonly ahead = new Set<Promise<void>>();
  /** What a background fdatasync met, for the next flush to throw. */
  private aheadError: unknown;
  private startedAt = "";
  /** Summary and metric index beside the metrics file (see run-summary.ts); `bytes` is the file's length. */
  private summary: RunSummaryWriter | undefined;
  private bytes = 0;
  /** How the run ended, when `run.json` said so before this process (a replay by `tracelet sync`). */
  private previousEnd: RunEnd | undefined;
  private readonly host = hostname();
  /** Where a failed append's torn tail begins, while it could not be cut off yet. */
  private tornAt: number | undefined;
  /** Whether appends are failing (logged once, when it begins). */
  private outage = false;

  /** Where this run's files are. */
  get directory(): string {
    return this.runDir;
  }

  override async initialize(config: Readonly<JsonlConfig>, context: PluginContext): Promise<void> {
    await super.initialize(config, context);
    const run = context.run;
    this.runDir = config.dir ? resolve(config.dir, run.project, run.runId) : run.runDir;
    await mkdir(join(this.runDir, "artifacts"), { recursive: true });
    this.tags = { ...run.tags };
    // A replay (`tracelet sync`) keeps the original start time and parameters.
    const previous = await readJson(join(this.runDir, "run.json"));
    this.startedAt = typeof previous?.startedAt === "string" ? previous.startedAt : new Date().toISOString();
    this.params = (await readJson(join(this.runDir, "params.json"))) ?? {};
    this.previousEnd = endOf(previous);
    // A replay does not make the run "running" again: the run.json of its end stays as it is.
    if (!context.replay) this.writeRunFile({ status: "running" });
  }

  override start(): void {
    const fd = openSync(join(this.runDir, writerFiles(this.context.run).metrics), "a+");
    const closedTorn = closeTornLine(fd);
    this.fd = fd;
    this.bytes = fstatSync(fd).size;
    this.syncStarted = this.durable = closedTorn ? this.bytes - 1 : this.bytes;
    // run.json's heartbeat rides on the summary's timer (unref'd: it never keeps a finished
    // script alive): no timer of its own, no trip through the thread pool.
    const beat = this.context.replay ? undefined : () => this.heartbeat();
    this.summary = new RunSummaryWriter(this.runDir, this.context.run, this.startedAt, beat);
    this.summary.open(fd);
  }

  private heartbeat(): void {
    try {
      this.writeRunFile({ status: "running" });
    } catch (error) {
      this.context.logger.debug({ err: error }, "run.json heartbeat not written");
    }
  }

  logMetric(name: string, value: number, step = 0, timestamp = Date.now()): void {
    this.logMetricColumns(columnsOf([{ name, value, step, timestamp }]));
  }

  /**
   * Appends a batch of records (put in columns: one write path, see
   * {@link JsonlBackend.logMetricColumns}).
   *
   * @param batch - the points
   * @throws TraceletError `TRACELET_ERR_WRITE_FAILED` (its `cause` the system error)
   */
  override logMetrics(batch: MetricRecord[]): void {
    this.logMetricColumns(columnsOf(batch));
  }

  /**
   * Appends a batch to `metrics.jsonl`, all of it or none of it: a write the disk refuses (full,
   * read-only, EIO) is cut back to where the batch began, so the engine can send the same batch
   * again without a torn line or a duplicate. The first failure of an outage is logged in one
   * line; the next success ends the outage. What the engine calls (no object per point).
   *
   * @param batch - the points, in columns
   * @throws TraceletError `TRACELET_ERR_WRITE_FAILED` (its `cause` the system error)
   */
  override logMetricColumns(batch: MetricColumns): void {
    const fd = this.fd;
    if (fd === undefined) throw new Error("jsonl backend is not started");
    // A tail the last failure could not cut (the truncate failed too) is cut before appending.
    if (this.tornAt !== undefined) {
      this.cutBack(fd, this.tornAt);
      // Appending now would glue this batch's first line onto the torn one: refused instead, and
      // the engine keeps the batch for the next try.
      if (this.tornAt !== undefined) {
        throw this.writeFailed(
          Object.assign(new Error(`a torn tail at byte ${this.tornAt} could not be cut off`), { code: "ETORN" }),
        );
      }
    }
    const batchStart = this.bytes;
    const slices: number[] = [];
    try {
      // Slices of ~64 KB: a string that size is encoded and written faster than one big one.
      for (let from = 0; from < batch.length; from += SLICE) {
        const to = Math.min(batch.length, from + SLICE);
        slices.push(this.bytes);
        const text = this.encoder.encodeColumns(batch, from, to);
        this.bytes += writeWhole(fd, text, this.encoder.bytes);
      }
    } catch (error) {
      this.bytes = batchStart;
      this.tornAt = batchStart;
      this.cutBack(fd, batchStart);
      throw this.writeFailed(error);
    }
    // Indexed only once the whole batch is in the file: a retried batch is never counted twice.
    for (let i = 0, from = 0; from < batch.length; i++, from += SLICE) {
      const end = i + 1 < slices.length ? (slices[i + 1] as number) : this.bytes;
      this.summary?.observe(batch, from, Math.min(batch.length, from + SLICE), slices[i] as number, end);
    }
    if (this.outage) {
      this.outage = false;
      this.context.logger.info({ code: "TRACELET_ERR_WRITE_FAILED" }, "metrics.jsonl is writable again");
    }
    this.written += batch.length;
    this.sinceSync += this.bytes - batchStart;
    if (this.sinceSync >= SYNC_AHEAD_BYTES && this.ahead.size < MAX_SYNCS_AHEAD && this.config.fsync !== false)
      this.syncAhead(fd);
  }

  // An fdatasync in the thread pool every SYNC_AHEAD_BYTES appended: the disk writes back while
  // the next batches are encoded, and a flush or stop only waits for the last few MiB. Its
  // failure is kept for the next flush to throw (the kernel reports a failed writeback once: the
  // flush's own fdatasync may not see it).
  private syncAhead(fd: number): void {
    const covers = this.syncFrom();
    const ahead: Promise<void> = datasync(fd).then(
      () => {
        this.ahead.delete(ahead);
        this.synced(covers);
      },
      (error: unknown) => {
        this.ahead.delete(ahead);
        this.syncFailed();
        this.aheadError ??= error;
      },
    );
    this.ahead.add(ahead);
  }

  // Marks the file's length as covered by an fdatasync starting now; returns it.
  private syncFrom(): number {
    this.sinceSync = 0;
    this.syncStarted = this.bytes;
    return this.bytes;
  }

  private synced(covers: number): void {
    this.durable = Math.max(this.durable, covers);
  }

  // What a failed fdatasync covered is not known durable: the next flush syncs again.
  private syncFailed(): void {
    this.syncStarted = Math.min(this.syncStarted, this.durable);
  }

  // Truncates metrics.jsonl back to `size` (dropping a torn tail); when even that is refused, the
  // next append tries again first.
  private cutBack(fd: number, size: number): void {
    try {
      ftruncateSync(fd, size);
      this.tornAt = undefined;
    } catch {
      this.tornAt = size;
    }
  }

  private writeFailed(cause: unknown): TraceletError {
    const reason = (cause as NodeJS.ErrnoException)?.code ?? (cause instanceof Error ? cause.message : String(cause));
    const file = join(this.runDir, writerFiles(this.context.run).metrics);
    if (!this.outage) {
      this.outage = true;
      // One line per outage, without a stack: the engine retries the batch until the disk takes it.
      this.context.logger.warn({ code: "TRACELET_ERR_WRITE_FAILED", reason }, `${file} refused a write; retrying`);
    }
    return new TraceletError("TRACELET_ERR_WRITE_FAILED", `Could not append to ${file} (${reason}).`, {
      cause,
      details: { path: file, reason },
    });
  }

  override async logParams(params: Record<string, unknown>): Promise<void> {
    Object.assign(this.params, params);
    await writeAtomic(join(this.runDir, "params.json"), `${JSON.stringify(this.params, null, 2)}\n`);
  }

  /**
   * Merges tags into `run.json`.
   *
   * @param tags - the run's tags
   */
  override async setTags(tags: Record<string, string>): Promise<void> {
    Object.assign(this.tags, tags);
    this.writeRunFile({ status: "running" });
  }

  override async logArtifact(localPath: string, artifactPath?: string): Promise<void> {
    // Real paths, not names: a symlink already in artifacts/ must not carry the copy outside.
    const target = await artifactTarget(
      join(this.runDir, "artifacts"),
      artifactPath ?? localPath.split(/[\\/]/).pop() ?? "artifact",
    );
    // cp copies file by file with copyFile (in the kernel where it can): nothing is read into memory.
    await cp(localPath, target, { recursive: true, force: true });
  }

  override async flush(): Promise<void> {
    const fd = this.fd;
    // Everything appended before this call; what is appended while it waits is the next flush's.
    const target = this.bytes;
    this.summary?.write();
    if (fd === undefined || this.config.fsync === false) return;
    if (this.syncStarted < target) {
      const covers = this.syncFrom();
      const previous = this.syncing;
      this.syncing = (async () => {
        await previous?.catch(() => undefined);
        try {
          await datasync(fd);
          this.synced(covers);
        } catch (error) {
          this.syncFailed();
          throw error;
        }
      })();
    }
    // With nothing new written, the syncs still running (another flush's, the background ones
    // started after the last append) are what makes the data durable: wait for them, and report
    // their failures.
    await this.settleSyncs();
    await this.syncing;
    const failed = this.aheadError;
    if (failed !== undefined) {
      this.aheadError = undefined;
      throw failed;
    }
  }

  /**
   * Closes `metrics.jsonl` (synced) and records in `run.json` how the run ended.
   *
   * @param end - how the run ended; without it (a replay by `tracelet sync`, or a caller outside
   *   the engine) the end already recorded stays, else the run is `finished`
   */
  override async stop(end?: RunEnd): Promise<void> {
    try {
      await this.flush();
    } finally {
      // The fd is closed even when fdatasync fails (a full disk, EIO): no descriptor leaks. Never
      // under an fdatasync still running, though (a flush that failed early did not wait for them):
      // the number could be another file's by the time it runs.
      await this.settleSyncs();
      const fd = this.fd;
      this.fd = undefined;
      if (fd !== undefined) closeSync(fd);
      this.summary?.close((end ?? this.previousEnd)?.status ?? "finished");
      this.summary = undefined;
    }
    if (this.context.replay && !end) return;
    this.writeRunFile(end ?? this.previousEnd ?? { status: "finished" });
  }

  // Waits for every fdatasync started so far (never throws: their failures are the flush's).
  private async settleSyncs(): Promise<void> {
    if (this.ahead.size > 0) await Promise.all(this.ahead);
    await this.syncing?.catch(() => undefined);
  }

  override getStatus(): Record<string, unknown> {
    return { connected: this.fd !== undefined, dir: this.runDir, points: this.written };
  }

  // Synchronous: a few hundred bytes written and renamed cost less than a round trip through the
  // thread pool, and no two writes of run.json (they share a temporary file) can interleave.
  private writeRunFile(end: RunEnd | { status: "running" }): void {
    const run = this.context.run;
    const running = end.status === "running";
    const body = {
      runId: run.runId,
      project: run.project,
      name: run.name,
      role: run.role,
      workerId: run.workerId,
      workerCount: run.workerCount,
      tags: this.tags,
      ...end,
      startedAt: this.startedAt,
      ...(running
        ? { heartbeatAt: new Date().toISOString(), heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS }
        : { endedAt: new Date().toISOString() }),
      pid: process.pid,
      hostname: this.host,
    };
    const path = join(this.runDir, "run.json");
    const temp = `${path}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(body, null, 2)}\n`);
    renameSync(temp, path);
  }
}

/**
 * Ends a torn last line (a crash mid-write) so the next line starts clean; readers skip it.
 *
 * @returns whether it wrote anything
 */
function closeTornLine(fd: number): boolean {
  const size = fstatSync(fd).size;
  if (size === 0) return false;
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  if (last[0] === 0x0a) return false;
  writeSync(fd, "\n");
  return true;
}

/**
 * Writes all of `text` (a full disk may take part of a write and refuse the rest).
 *
 * @param length - the text's UTF-8 length in bytes (the encoder knows it: measuring it again
 *   cost about a tenth of the backend's time)
 * @returns the bytes written
 */
function writeWhole(fd: number, text: string, length: number): number {
  let done = writeSync(fd, text);
  if (done < length) {
    const bytes = Buffer.from(text);
    while (done < length) {
      const n = writeSync(fd, bytes, done, length - done);
      if (n === 0) throw Object.assign(new Error("write made no progress"), { code: "EIO" });
      done += n;
    }
  }
  return length;
}

/** Writes a file through a temporary file and a rename, so a crash never leaves it half written. */
async function writeAtomic(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, text);
  await rename(temp, path);
}

// The end a run.json records, if the run ended.
function endOf(runFile: Record<string, unknown> | undefined): RunEnd | undefined {
  const status = runFile?.status;
  if (typeof status !== "string" || !ENDED.has(status)) return undefined;
  const end: RunEnd = { status: status as RunEndStatus };
  if (typeof runFile?.signal === "string") end.signal = runFile.signal;
  const error = runFile?.error as { code?: unknown; message?: unknown } | undefined;
  if (typeof error?.code === "string" && typeof error.message === "string")
    end.error = { code: error.code, message: error.message };
  return end;
}

async function readJson(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    const value = JSON.parse(await readFile(path, "utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
