import {
  closeSync,
  existsSync,
  fstatSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { columnsOf, NameIdCache } from "../../core/data/metric-columns.js";
import { decodeLine } from "../../core/data/record-codec.js";
import type { MetricColumns, MetricRecord, RunIdentity } from "../../core/types.js";

/** Points per block of the metric index: a block keeps first/last/min/max of that many points of one metric. */
export const INDEX_BLOCK = 256;
/** Float64 fields per index record (see {@link IndexField}). */
export const INDEX_FIELDS = 17;

/** Field offsets of one index record in `metrics*.idx` (17 little-endian float64 each). */
export const IndexField = {
  metric: 0,
  count: 1,
  /** Points of this metric in the slice at `byteStart` that precede the block. */
  skip: 2,
  byteStart: 3,
  byteEnd: 4,
  firstStep: 5,
  firstValue: 6,
  firstTime: 7,
  lastStep: 8,
  lastValue: 9,
  lastTime: 10,
  minStep: 11,
  minValue: 12,
  minTime: 13,
  maxStep: 14,
  maxValue: 15,
  maxTime: 16,
} as const;

/** One metric in a run summary. */
export interface MetricStats {
  /** Index of the metric in the `.idx` records. */
  id: number;
  /** Points logged. */
  count: number;
  /** Last value logged (non-finite values as `"NaN"`, `"Infinity"`, `"-Infinity"` in the file). */
  last: number;
  /** Step of the last value. */
  lastStep: number;
  /** Timestamp of the last value, ms. */
  lastTime: number;
  /** Smallest value (NaN ignored); `null` when there is none. */
  min: number | null;
  /** Largest value (NaN ignored); `null` when there is none. */
  max: number | null;
  /** Byte offset in the metrics file of the slice holding the first point not yet in the index. */
  tailFrom: number;
  /** Points of this metric in that slice that precede it (already indexed). */
  tailSkip: number;
}

/**
 * The summary one writer (a process: the run, or one worker of it) keeps beside its metrics
 * file, rewritten as the run goes (`summary[.<role>-<worker>].json`), so listing runs never
 * reads metric files.
 */
export interface RunSummaryDoc {
  /** Format version. */
  version: 1;
  runId: string;
  project: string;
  name: string;
  role: string;
  workerId: number;
  workerCount: number;
  /** The writing process and its host: a reader on that host checks the pid is alive. */
  pid: number;
  host: string;
  /** `running` until the backend stops; then how the run ended. */
  status: string;
  startedAt: string;
  /** Last time the writer was alive (rewritten at least every {@link QUIET_HEARTBEAT_MS}). */
  heartbeatAt: string;
  endedAt?: string;
  /** Metrics file this summary describes, relative to the run directory. */
  metricsFile: string;
  /** Bytes of the metrics file covered. */
  metricsBytes: number;
  /** Index file (blocks of {@link INDEX_BLOCK} points per metric) and its valid length. */
  indexFile: string;
  indexBytes: number;
  metrics: Record<string, MetricStats>;
}

/** Sealed index records held before they are written to the index file (about 64 KB). */
const PENDING_RECORDS = 480;

/** How often a running writer checks whether its summary is due for a rewrite (its heartbeat), ms. */
export const HEARTBEAT_MS = 2_000;

/**
 * The longest a running writer goes without rewriting its summary, ms: a third of the viewer's
 * staleness limit (30 s), as `run.json`'s heartbeat.
 */
export const QUIET_HEARTBEAT_MS = 10_000;

/**
 * Bytes of points written since the last summary that make a heartbeat rewrite it at once: the
 * tail a reader must scan past the summary stays this small on a busy run.
 */
export const SUMMARY_TAIL_BYTES = 64 * 1024;

// min and max are kept as doubles, NaN for none (null in the file): a field that holds null or
// a number is a tagged field, and each new extreme (every point of a rising metric) allocated.
interface Tracked extends Omit<MetricStats, "min" | "max"> {
  lo: number;
  hi: number;
  name: string;
  slice: number;
  inSlice: number;
  block: Float64Array;
}

/**
 * The file names one writer uses in a run directory: a run written by one process uses
 * `metrics.jsonl`, `metrics.idx`, `summary.json`; each process of a multi-process run its own
 * `metrics.<role>-<worker>.jsonl` and so on, so no two processes write the same file.
 *
 * @param run - the run's identity
 * @returns the three file names
 */
export function writerFiles(run: Pick<RunIdentity, "role" | "workerId" | "workerCount">): {
  metrics: string;
  index: string;
  summary: string;
} {
  const alone = run.workerCount <= 1 && run.workerId === 0 && run.role === "main";
  const suffix = alone ? "" : `.${run.role}-${run.workerId}`;
  return { metrics: `metrics${suffix}.jsonl`, index: `metrics${suffix}.idx`, summary: `summary${suffix}.json` };
}

/**
 * Keeps a writer's summary (last/min/max/count per metric, status, heartbeat) and its metric
 * index (per metric, one record per {@link INDEX_BLOCK} points with first/last/min/max and the
 * byte range of the metrics file holding them), fed with each slice the backend writes.
 */
export class RunSummaryWriter {
  private readonly metrics = new Map<string, Tracked>();
  private readonly byName = new NameIdCache<Tracked>();
  private slice = 0;
  private bytes = 0;
  // Sealed index records not yet in the index file. A fixed Float64Array written out whenever it
  // fills: a number[] that grows until the next summary write keeps every boxed field alive for
  // seconds, and measured as several MB of the yielding loop's RSS.
  private readonly pending = new Float64Array(INDEX_FIELDS * PENDING_RECORDS);
  private pendingLength = 0;
  private indexFd: number | undefined;
  private indexBytes = 0;
  private status = "running";
  private endedAt: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private writtenBytes = -1;
  private beatAt = 0;

  /**
   * @param runDir - the run directory
   * @param run - the run's identity
   * @param startedAt - ISO start time
   * @param onQuietHeartbeat - called on the same timer turn as each {@link QUIET_HEARTBEAT_MS}
   *   rewrite of the summary, so a backend refreshes its other liveness files (`run.json`)
   *   without a timer of its own; what it throws is ignored (the next heartbeat retries)
   */
  constructor(
    private readonly runDir: string,
    private readonly run: RunIdentity,
    private readonly startedAt: string,
    private readonly onQuietHeartbeat?: () => void,
  ) {}

  /**
   * Opens the index and catches up with a metrics file that already holds points (a replay by
   * `tracelet sync`, or a resumed run): the previous summary is reused when it covers the whole
   * file, else the file is read again.
   *
   * @param metricsFd - the metrics file, open for reading
   */
  open(metricsFd: number): void {
    const files = writerFiles(this.run);
    const size = fstatSync(metricsFd).size;
    const previous = readSummary(join(this.runDir, files.summary));
    const indexPath = join(this.runDir, files.index);
    if (previous && previous.metricsBytes === size && existsSync(indexPath)) {
      this.indexFd = openSync(indexPath, "r+");
      this.indexBytes = previous.indexBytes;
      this.bytes = size;
      // Partial blocks were flushed at the end of the previous writer: new ones start here.
      for (const [name, { min, max, ...m }] of Object.entries(previous.metrics)) {
        this.metrics.set(name, {
          ...m,
          lo: min ?? Number.NaN,
          hi: max ?? Number.NaN,
          name,
          tailFrom: size,
          tailSkip: 0,
          slice: -1,
          inSlice: 0,
          block: newBlock(m.id),
        });
      }
    } else {
      this.indexFd = openSync(indexPath, "w+");
      this.rescan(metricsFd, size);
    }
    this.writeIndex();
    this.write();
    this.beatAt = performance.now();
    this.timer = setInterval(() => this.heartbeat(), HEARTBEAT_MS);
    this.timer.unref();
  }

  // A slow run (a 1 Hz collector writes about 2 KiB/s) rewrites its summary every 10 s, not every
  // 2 s: each rewrite (JSON of every metric, write, rename) costs more than the sample. The quiet
  // rewrite and the backend's run.json share this turn: one wake-up, two small synchronous writes.
  private heartbeat(): void {
    const now = performance.now();
    const quiet = now - this.beatAt >= QUIET_HEARTBEAT_MS - HEARTBEAT_MS / 2;
    // A heartbeat that cannot be written (a full disk) must not crash the run; the next one retries.
    try {
      if (quiet || this.bytes - this.writtenBytes >= SUMMARY_TAIL_BYTES) this.write();
    } catch {}
    if (!quiet) return;
    this.beatAt = now;
    try {
      this.onQuietHeartbeat?.();
    } catch {}
  }

  /**
   * Records one slice of points the backend wrote as bytes `[byteStart, byteEnd)` of its file.
   *
   * @param columns - the batch
   * @param from - first index of the slice
   * @param to - end index of the slice
   * @param byteStart - offset of the slice in the metrics file
   * @param byteEnd - offset after it
   */
  observe(columns: MetricColumns, from: number, to: number, byteStart: number, byteEnd: number): void {
    const slice = ++this.slice;
    const { names, ids, values, steps, times } = columns;
    const byId = this.byName.for(names);
    let lastId = -1;
    let m: Tracked | undefined;
    for (let i = from; i < to; i++) {
      const id = ids[i];
      if (id !== lastId || m === undefined) {
        lastId = id;
        m = byId[id];
        if (m === undefined) {
          const name = names[id] as string;
          m = this.metrics.get(name) ?? this.track(name);
          byId[id] = m;
        }
      }
      if (m.slice !== slice) {
        m.slice = slice;
        m.inSlice = 0;
      }
      const v = values[i];
      const step = steps[i];
      const time = times[i];
      m.count++;
      m.last = v;
      m.lastStep = step;
      m.lastTime = time;
      const b = m.block;
      if (b[IndexField.count] === 0) {
        b[IndexField.skip] = m.inSlice;
        b[IndexField.byteStart] = byteStart;
        b[IndexField.firstStep] = step;
        b[IndexField.firstValue] = v;
        b[IndexField.firstTime] = time;
        m.tailFrom = byteStart;
        m.tailSkip = m.inSlice;
      }
      m.inSlice++;
      b[IndexField.count]++;
      b[IndexField.byteEnd] = byteEnd;
      b[IndexField.lastStep] = step;
      b[IndexField.lastValue] = v;
      b[IndexField.lastTime] = time;
      // NaN compares false both ways: it never becomes a min or a max.
      if (v < b[IndexField.minValue] || Number.isNaN(b[IndexField.minValue])) {
        if (!Number.isNaN(v)) {
          b[IndexField.minValue] = v;
          b[IndexField.minStep] = step;
          b[IndexField.minTime] = time;
        }
      }
      if (v > b[IndexField.maxValue] || Number.isNaN(b[IndexField.maxValue])) {
        if (!Number.isNaN(v)) {
          b[IndexField.maxValue] = v;
          b[IndexField.maxStep] = step;
          b[IndexField.maxTime] = time;
        }
      }
      if (!Number.isNaN(v)) {
        if (v < m.lo || Number.isNaN(m.lo)) m.lo = v;
        if (v > m.hi || Number.isNaN(m.hi)) m.hi = v;
      }
      if (b[IndexField.count] === INDEX_BLOCK) this.seal(m, byteEnd);
    }
    this.bytes = byteEnd;
  }

  /**
   * Appends the sealed index records and rewrites the summary (on flush, and on a heartbeat every
   * {@link QUIET_HEARTBEAT_MS}, or the first after {@link SUMMARY_TAIL_BYTES} more bytes of points).
   */
  write(): void {
    this.writeIndex();
    const files = writerFiles(this.run);
    const metrics: Record<string, MetricStats> = {};
    for (const m of this.metrics.values()) {
      const open = m.block[IndexField.count] > 0;
      metrics[m.name] = {
        id: m.id,
        count: m.count,
        last: m.last,
        lastStep: m.lastStep,
        lastTime: m.lastTime,
        min: Number.isNaN(m.lo) ? null : m.lo,
        max: Number.isNaN(m.hi) ? null : m.hi,
        tailFrom: open ? m.tailFrom : this.bytes,
        tailSkip: open ? m.tailSkip : 0,
      };
    }
    const doc: RunSummaryDoc = {
      version: 1,
      runId: this.run.runId,
      project: this.run.project,
      name: this.run.name,
      role: this.run.role,
      workerId: this.run.workerId,
      workerCount: this.run.workerCount,
      pid: process.pid,
      host: hostname(),
      status: this.status,
      startedAt: this.startedAt,
      heartbeatAt: new Date().toISOString(),
      ...(this.endedAt ? { endedAt: this.endedAt } : {}),
      metricsFile: files.metrics,
      metricsBytes: this.bytes,
      indexFile: files.index,
      indexBytes: this.indexBytes,
      metrics,
    };
    const path = join(this.runDir, files.summary);
    const temp = `${path}.${process.pid}.tmp`;
    // Non-finite values as their JSON Lines spelling: JSON.stringify would write null.
    writeFileSync(
      temp,
      `${JSON.stringify(doc, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v))}\n`,
    );
    renameSync(temp, path);
    this.writtenBytes = this.bytes;
  }

  /**
   * Seals every open block, writes the final summary with how the run ended, and closes the index.
   *
   * @param status - `finished`, `failed`, `interrupted`
   */
  close(status: string): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const m of this.metrics.values()) if (m.block[IndexField.count] > 0) this.seal(m, this.bytes);
    this.status = status;
    this.endedAt = new Date().toISOString();
    this.write();
    if (this.indexFd !== undefined) closeSync(this.indexFd);
    this.indexFd = undefined;
  }

  private track(name: string): Tracked {
    const id = this.metrics.size;
    const m: Tracked = {
      name,
      id,
      count: 0,
      last: Number.NaN,
      lastStep: 0,
      lastTime: 0,
      lo: Number.NaN,
      hi: Number.NaN,
      tailFrom: this.bytes,
      tailSkip: 0,
      slice: -1,
      inSlice: 0,
      block: newBlock(id),
    };
    this.metrics.set(name, m);
    return m;
  }

  private seal(m: Tracked, bytes: number): void {
    if (this.pendingLength === this.pending.length) this.writeIndex();
    this.pending.set(m.block, this.pendingLength);
    this.pendingLength += INDEX_FIELDS;
    m.block = newBlock(m.id);
    m.tailFrom = bytes;
    m.tailSkip = 0;
    // The rest of this slice's points of m (after the sealed block) start the next block;
    // observe() sets tailFrom/tailSkip again when they come.
  }

  private writeIndex(): void {
    if (this.indexFd === undefined || this.pendingLength === 0) return;
    const length = this.pendingLength * Float64Array.BYTES_PER_ELEMENT;
    writeSync(this.indexFd, new Uint8Array(this.pending.buffer, 0, length), 0, length, this.indexBytes);
    this.indexBytes += length;
    this.pendingLength = 0;
  }

  /** Reads an existing metrics file again (a replay into a run whose summary is stale). */
  private rescan(fd: number, size: number): void {
    const chunk = Buffer.alloc(1 << 20);
    let position = 0;
    let carry = "";
    let carryStart = 0;
    while (position < size) {
      const n = readSync(fd, chunk, 0, chunk.length, position);
      if (n <= 0) break;
      const text = carry + chunk.toString("utf8", 0, n);
      const cut = text.lastIndexOf("\n");
      const whole = cut >= 0 ? text.slice(0, cut + 1) : "";
      carry = cut >= 0 ? text.slice(cut + 1) : text;
      const end = carryStart + Buffer.byteLength(whole);
      const points: MetricRecord[] = [];
      for (const line of whole.split("\n")) {
        const p = line === "" ? undefined : decodeLine(line);
        if (p) points.push(p);
      }
      this.observe(columnsOf(points), 0, points.length, carryStart, end);
      carryStart = end;
      position += n;
    }
    this.bytes = size;
  }
}

function newBlock(id: number): Float64Array {
  const b = new Float64Array(INDEX_FIELDS);
  b[IndexField.metric] = id;
  b[IndexField.minValue] = Number.NaN;
  b[IndexField.maxValue] = Number.NaN;
  return b;
}

/**
 * Reads a summary file written by {@link RunSummaryWriter}.
 *
 * @param path - the file
 * @returns the summary, or `undefined` when it is missing or unreadable
 */
export function readSummary(path: string): RunSummaryDoc | undefined {
  try {
    const doc = JSON.parse(readFileSync(path, "utf8"), (k, v) =>
      typeof v === "string" && (k === "last" || k === "min" || k === "max") ? Number(v) : v,
    );
    return doc && doc.version === 1 && typeof doc.metrics === "object" ? (doc as RunSummaryDoc) : undefined;
  } catch {
    return undefined;
  }
}
