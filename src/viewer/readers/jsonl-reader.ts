import { readdirSync } from "node:fs";
import { open, stat } from "node:fs/promises";
import { basename, join, resolve, sep } from "node:path";
import { INDEX_FIELDS, IndexField, type RunSummaryDoc, readSummary } from "../../backends/jsonl/run-summary.js";
import { decodeLine } from "../../core/data/record-codec.js";
import { TraceletError } from "../../core/errors.js";
import type { MetricRecord } from "../../core/types.js";
import { type CandidateSource, Downsampler } from "./downsample.js";
import { ListingIndex, METRICS_FILE, type RunDocs, storedNumber, summaryName, writerKey } from "./listing-index.js";
import { combineStatus, writerStatus } from "./liveness.js";
import { mergeMetrics } from "./merge-metrics.js";
import type {
  FollowBatch,
  MetricStat,
  RunReader,
  RunRow,
  RunStatus,
  Series,
  SeriesQuery,
  WorkerRow,
} from "./reader.js";

/** Statuses a writer records when it ends: a run's status then no longer depends on the time or a pid. */
const ENDED = new Set(["finished", "failed", "interrupted", "crashed"]);

/** How often a follower looks for new points, ms. */
export const FOLLOW_POLL_MS = 400;
const CHUNK = 8 << 20;

/** One writer of a run directory: its metrics file and, when it wrote one, its summary. */
interface Writer {
  key: string;
  metricsFile: string;
  summary?: RunSummaryDoc;
}

/**
 * Reads the run directories of the `jsonl` backend, `<dir>/<project>/<runId>/`: listing reads
 * `run.json`, `params.json` and the summaries only; a series is read from the metric index
 * (blocks of points with their min/max) plus the points after it, and read whole only when the
 * range asked for is small.
 */
export class JsonlReader implements RunReader {
  private readonly writers = new Map<string, Writer[]>();
  private readonly index: ListingIndex;
  private readonly rows = new WeakMap<RunDocs, { location: string; judged: string; row: RunRow; ended: boolean }>();
  /** The last listing, while nothing it looked at can have changed (a watching reader only). */
  private last: { project?: string; watch: { epoch: number; until: number }; rows: RunRow[] } | undefined;

  /**
   * @param dir - the runs directory (`./tracelet-runs` by default in the CLI)
   * @param options - `watch`: for a reader that lists again and again (`tracelet ui`), watch the
   *   run directories for changes, so an unchanged run is listed without a system call
   */
  constructor(
    readonly dir: string,
    options: { watch?: boolean } = {},
  ) {
    this.index = new ListingIndex(dir, options);
  }

  async listRuns(options: { project?: string } = {}): Promise<RunRow[]> {
    const last = this.last;
    if (last && last.project === options.project && this.index.unchangedSince(last.watch)) return [...last.rows];
    this.last = undefined;
    const projects = this.index.entriesOf(this.dir, subdirs);
    if (projects === undefined)
      throw new TraceletError("TRACELET_ERR_RUN_NOT_FOUND", `No runs directory at ${this.dir}.`, {
        details: { path: this.dir },
      });
    // Paths joined by hand: names read from directories need no normalizing, and path.join cost
    // as much as the stat of each run.
    const root = this.dir.endsWith(sep) ? this.dir : this.dir + sep;
    const rows: RunRow[] = [];
    const keys = new Set<string>();
    const dirs = [this.dir];
    let ended = true;
    for (const project of projects) {
      if (options.project !== undefined && project !== options.project) continue;
      dirs.push(root + project);
      for (const id of this.index.entriesOf(root + project, subdirs) ?? []) {
        const key = `${project}/${id}`;
        keys.add(key);
        // Synchronous reads: a listing reads a few small files per run (none for a run unchanged
        // since the listing index has it), and a promise round trip through the thread pool per
        // file (open, stat, read, close) cost several times the reading.
        const dir = root + project + sep + id;
        const known = this.rowOf(dir, key);
        if (!known) continue;
        rows.push(known.row);
        ended &&= known.ended;
        dirs.push(dir);
      }
    }
    this.index.retain(keys, options.project);
    this.index.save();
    rows.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    // Every run ended and every directory watched: until a notification (or the time to check
    // them again), the next listing is this one.
    const watch = ended ? this.index.watchState(dirs) : undefined;
    if (watch) this.last = { project: options.project, watch, rows: [...rows] };
    return rows;
  }

  async getRun(ref: string): Promise<RunRow> {
    const asDir = this.readRunDir(resolve(ref));
    if (asDir) return asDir;
    const runs = await this.listRuns();
    const exact = runs.filter((r) => r.id === ref);
    const found = exact.length > 0 ? exact : runs.filter((r) => r.id.startsWith(ref));
    if (found.length === 1) return found[0];
    if (found.length === 0)
      throw new TraceletError("TRACELET_ERR_RUN_NOT_FOUND", `No run "${ref}" in ${this.dir}.`, {
        details: { run: ref, dir: this.dir },
      });
    throw new TraceletError(
      "TRACELET_ERR_RUN_AMBIGUOUS",
      `"${ref}" matches ${found.length} runs (${found
        .slice(0, 5)
        .map((r) => r.id)
        .join(", ")}${found.length > 5 ? ", ..." : ""}).`,
      { details: { run: ref, matches: found.map((r) => r.id) } },
    );
  }

  async readSeries(run: RunRow, metric: string, query: SeriesQuery): Promise<Series[]> {
    const out: Series[] = [];
    for (const w of this.writersOf(run.location)) {
      if (w.summary && !w.summary.metrics[metric]) continue;
      const s = await this.writerSeries(run.location, w, metric, query);
      if (s.total > 0 || w.summary) out.push({ run: run.id, metric, worker: w.key, ...s });
    }
    return out;
  }

  async *iteratePoints(run: RunRow): AsyncGenerator<FollowBatch> {
    for (const w of this.writersOf(run.location)) {
      const path = join(run.location, w.metricsFile);
      for await (const points of scanChunks(path, 0, await fileSize(path))) {
        yield { run: run.id, worker: w.key, points };
      }
    }
  }

  async follow(run: RunRow, onBatch: (batch: FollowBatch) => void): Promise<() => void> {
    const cursors = new Map<string, number>();
    const known = async () => {
      for (const w of this.writersOf(run.location, true)) {
        const path = join(run.location, w.metricsFile);
        if (!cursors.has(path)) cursors.set(path, await wholeLinesEnd(path, await fileSize(path)));
      }
    };
    await known();
    let busy = false;
    let stopped = false;
    const tick = async () => {
      if (busy || stopped) return;
      busy = true;
      try {
        await known();
        for (const [path, from] of cursors) {
          const size = await fileSize(path);
          if (size <= from) continue;
          const worker = writerKey(basename(path));
          let end = from;
          for await (const points of scanChunks(path, from, size, (e) => {
            end = e;
          })) {
            if (!stopped && points.length > 0) onBatch({ run: run.id, worker, points });
          }
          cursors.set(path, end);
        }
      } finally {
        busy = false;
      }
    };
    const timer = setInterval(() => void tick().catch(() => undefined), FOLLOW_POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }

  /**
   * One run directory as a row (statuses judged now); `undefined` when it is not a run directory.
   * The row of an unchanged directory whose statuses are as before is the same object as last
   * time (a caller may cache what it derives from a row by identity).
   */
  private readRunDir(dir: string, key?: string): RunRow | undefined {
    return this.rowOf(dir, key)?.row;
  }

  /** {@link JsonlReader.readRunDir}, and whether the run ended (its status depends on nothing but its files). */
  private rowOf(dir: string, key?: string): { row: RunRow; ended: boolean } | undefined {
    const docs = this.index.docs(dir, key);
    if (!docs) return undefined;
    const known = this.rows.get(docs);
    // A run whose writers all recorded how they ended is judged without a clock or a pid.
    if (known?.ended && known.location === dir) return known;
    const { runFile, writers } = docs;
    const statuses = writers.map((s) => writerStatus(s.status, s.pid, s.host, s.heartbeatAt));
    const own = writerStatus(runFile.status, runFile.pid, runFile.hostname, runFile.heartbeatAt);
    const judged = `${own} ${statuses.join(" ")}`;
    if (known && known.location === dir && known.judged === judged) return known;
    // The directory changed (or a status did): its writers are looked up again for a series.
    this.writers.delete(dir);
    const row = runRow(dir, docs, own, statuses);
    const ended = writers.every((w) => ENDED.has(w.status)) && ENDED.has(runFile.status ?? "");
    const made = { location: dir, judged, row, ended };
    this.rows.set(docs, made);
    return made;
  }

  /** The writers of a run directory: one per `metrics*.jsonl`, with its summary if any. */
  private writersOf(dir: string, fresh = false): Writer[] {
    const cached = this.writers.get(dir);
    if (cached && !fresh) {
      for (const w of cached) if (w.summary) w.summary = readSummary(join(dir, summaryName(w.metricsFile)));
      return cached;
    }
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return [];
    }
    const writers: Writer[] = names
      .filter((n) => METRICS_FILE.test(n))
      .sort()
      .map((metricsFile) => ({
        key: writerKey(metricsFile),
        metricsFile,
        summary: readSummary(join(dir, summaryName(metricsFile))),
      }));
    this.writers.set(dir, writers);
    return writers;
  }

  private async writerSeries(
    dir: string,
    w: Writer,
    metric: string,
    q: SeriesQuery,
  ): Promise<Omit<Series, "run" | "metric" | "worker">> {
    const from = q.from ?? Number.NEGATIVE_INFINITY;
    const to = q.to ?? Number.POSITIVE_INFINITY;
    const width = Math.max(1, Math.min(10_000, Math.round(q.width)));
    const path = join(dir, w.metricsFile);
    const d = new Downsampler(width);
    // Points in range: those taken one by one, plus those of the blocks taken as aggregates.
    let total = 0;
    const take = (p: MetricRecord) => {
      if (p.step < from || p.step > to) return;
      d.add(p.step, p.value, p.timestamp);
      total++;
    };
    const s = w.summary;
    const m = s?.metrics[metric];
    if (!s || !m) {
      // No summary (a run written before summaries existed): read the file whole.
      for await (const points of scanChunks(path, 0, await fileSize(path), undefined, metric)) points.forEach(take);
      return finish(d, total);
    }
    const index = await readIndex(join(dir, s.indexFile), s.indexBytes, m.id);
    const blocks = index.length / INDEX_FIELDS;
    const f = (b: number, field: number) => index[b * INDEX_FIELDS + field];
    let first = -1;
    let last = -1;
    let inRange = 0;
    for (let b = 0; b < blocks; b++) {
      if (f(b, IndexField.lastStep) < from || f(b, IndexField.firstStep) > to) continue;
      if (first < 0) first = b;
      last = b;
      inRange += f(b, IndexField.count);
    }
    const size = await fileSize(path);
    // Blocks wholly in range, taken as their first, last, smallest and largest point, read in
    // place from the index by the downsampler.
    const inside: number[] = [];
    if (first >= 0) {
      const selected = last - first + 1;
      if (selected < width || inRange <= 2 * width) {
        // Few blocks: their points read whole, so a zoomed-in chart gets full resolution.
        await readBlocks(path, metric, f, first, last, take);
      } else {
        for (let b = first; b <= last; b++) {
          if (f(b, IndexField.firstStep) >= from && f(b, IndexField.lastStep) <= to) {
            inside.push(b);
            total += f(b, IndexField.count);
          } else await readBlocks(path, metric, f, b, b, take);
        }
      }
    }
    // The points after the index: the open block of a live run.
    let skip = m.tailSkip;
    for await (const points of scanChunks(path, m.tailFrom, size, undefined, metric)) {
      for (const p of points) {
        if (skip > 0) skip--;
        else take(p);
      }
    }
    return finish(d, total, blockCandidates(index, inside));
  }
}

/** A run's row from its directory's docs and the statuses judged now (of the run file, of each writer). */
function runRow(dir: string, docs: RunDocs, own: RunStatus, statuses: RunStatus[]): RunRow {
  const { runFile, params } = docs;
  const workers: WorkerRow[] = docs.writers.map((s, i) => {
    const metrics: Record<string, MetricStat> = {};
    for (const k in s.metrics) {
      const m = s.metrics[k];
      // An index entry of the wrong shape is read again from its files; this one passed the check.
      if (!Array.isArray(m)) continue;
      metrics[k] = {
        count: m[0],
        last: storedNumber(m[1]),
        lastStep: m[2],
        lastTime: m[3],
        min: storedNumber(m[4]),
        max: storedNumber(m[5]),
      };
    }
    return {
      key: s.key,
      role: s.role,
      workerId: s.workerId,
      pid: s.pid,
      host: s.host,
      status: statuses[i],
      heartbeatAt: s.heartbeatAt,
      metrics,
    };
  });
  const recorded = runFile.status;
  const status = workers.length > 0 ? combineStatus(statuses) : own;
  // ISO times of one format: the latest sorts last.
  let heartbeatAt = runFile.heartbeatAt;
  for (const w of workers)
    if (w.heartbeatAt && (!heartbeatAt || w.heartbeatAt > heartbeatAt)) heartbeatAt = w.heartbeatAt;
  const { startedAt, endedAt, error, signal } = runFile;
  const until = status === "running" || status === "crashed" ? heartbeatAt : endedAt;
  return {
    id: runFile.runId ?? basename(dir),
    project: runFile.project ?? basename(resolve(dir, "..")),
    name: runFile.name ?? basename(dir),
    location: dir,
    status: recorded === "failed" || recorded === "interrupted" ? recorded : status,
    startedAt,
    endedAt,
    heartbeatAt,
    durationMs: startedAt && until ? Math.max(0, Date.parse(until) - Date.parse(startedAt)) : undefined,
    tags: runFile.tags ?? {},
    params,
    metrics: mergeMetrics(workers),
    workers,
    ...(error ? { error } : {}),
    ...(signal ? { signal } : {}),
  };
}

/** The first, last, smallest and largest point of index blocks (the latter two unless all NaN). */
function blockCandidates(index: Float64Array, blocks: number[]): CandidateSource {
  let count = 0;
  for (const b of blocks) count += Number.isNaN(index[b * INDEX_FIELDS + IndexField.minValue]) ? 2 : 4;
  return {
    count,
    forEach(visit) {
      for (const b of blocks) {
        const o = b * INDEX_FIELDS;
        visit(index[o + IndexField.firstStep], index[o + IndexField.firstValue], index[o + IndexField.firstTime]);
        visit(index[o + IndexField.lastStep], index[o + IndexField.lastValue], index[o + IndexField.lastTime]);
        if (Number.isNaN(index[o + IndexField.minValue])) continue;
        visit(index[o + IndexField.minStep], index[o + IndexField.minValue], index[o + IndexField.minTime]);
        visit(index[o + IndexField.maxStep], index[o + IndexField.maxValue], index[o + IndexField.maxTime]);
      }
    },
  };
}

function finish(d: Downsampler, total: number, more?: CandidateSource): Omit<Series, "run" | "metric" | "worker"> {
  const cols = d.result(more);
  return { ...cols, total, full: cols.step.length === total };
}

/** Reads the points of blocks `first..last` of a metric (consecutive in the metric's order). */
async function readBlocks(
  path: string,
  metric: string,
  f: (b: number, field: number) => number,
  first: number,
  last: number,
  take: (p: MetricRecord) => void,
): Promise<void> {
  let skip = f(first, IndexField.skip);
  let count = 0;
  for (let b = first; b <= last; b++) count += f(b, IndexField.count);
  for await (const points of scanChunks(
    path,
    f(first, IndexField.byteStart),
    f(last, IndexField.byteEnd),
    undefined,
    metric,
  )) {
    for (const p of points) {
      if (skip > 0) {
        skip--;
        continue;
      }
      if (count-- <= 0) return;
      take(p);
    }
  }
}

/** The index records of one metric, as one Float64Array (the whole file when it holds one metric). */
async function readIndex(path: string, bytes: number, id: number): Promise<Float64Array> {
  let raw: Buffer;
  try {
    const h = await open(path, "r");
    try {
      raw = Buffer.allocUnsafeSlow(bytes - (bytes % (INDEX_FIELDS * 8)));
      const { bytesRead } = await h.read(raw, 0, raw.length, 0);
      raw = raw.subarray(0, bytesRead - (bytesRead % (INDEX_FIELDS * 8)));
    } finally {
      await h.close();
    }
  } catch {
    return new Float64Array(0);
  }
  const all = new Float64Array(raw.buffer, raw.byteOffset, raw.length / 8);
  let n = 0;
  for (let r = 0; r < all.length; r += INDEX_FIELDS) if (all[r] === id) n++;
  if (n * INDEX_FIELDS === all.length) return all;
  const out = new Float64Array(n * INDEX_FIELDS);
  let o = 0;
  for (let r = 0; r < all.length; r += INDEX_FIELDS) {
    if (all[r] !== id) continue;
    out.set(all.subarray(r, r + INDEX_FIELDS), o);
    o += INDEX_FIELDS;
  }
  return out;
}

/**
 * Reads whole lines of bytes `[start, end)` of a metrics file in chunks, yielding the points of
 * each chunk (only those named `metric` when given); a torn or partial last line is left out and
 * `onEnd` gets the offset after the last whole line.
 */
async function* scanChunks(
  path: string,
  start: number,
  end: number,
  onEnd?: (offset: number) => void,
  metric?: string,
): AsyncGenerator<MetricRecord[]> {
  if (end <= start) {
    onEnd?.(start);
    return;
  }
  let h: Awaited<ReturnType<typeof open>>;
  try {
    h = await open(path, "r");
  } catch {
    onEnd?.(start);
    return;
  }
  const prefix = metric === undefined ? undefined : `{"name":${JSON.stringify(metric)},`;
  try {
    let position = start;
    let carry = Buffer.alloc(0);
    while (position < end) {
      const chunk = Buffer.alloc(Math.min(CHUNK, end - position));
      const { bytesRead } = await h.read(chunk, 0, chunk.length, position);
      if (bytesRead <= 0) break;
      position += bytesRead;
      const data =
        carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      const cut = data.lastIndexOf(0x0a);
      if (cut < 0) {
        carry = Buffer.from(data);
        continue;
      }
      carry = Buffer.from(data.subarray(cut + 1));
      const points: MetricRecord[] = [];
      for (const line of data.toString("utf8", 0, cut).split("\n")) {
        if (prefix !== undefined && !line.startsWith(prefix)) continue;
        const p = decodeLine(line);
        if (p && (metric === undefined || p.name === metric)) points.push(p);
      }
      yield points;
    }
    onEnd?.(position - carry.length);
  } finally {
    await h.close();
  }
}

/** The offset after the last whole line of the first `size` bytes. */
async function wholeLinesEnd(path: string, size: number): Promise<number> {
  if (size === 0) return 0;
  const h = await open(path, "r");
  try {
    const tail = Buffer.alloc(Math.min(size, 64 << 10));
    await h.read(tail, 0, tail.length, size - tail.length);
    const cut = tail.lastIndexOf(0x0a);
    return cut < 0 ? size - tail.length : size - tail.length + cut + 1;
  } finally {
    await h.close();
  }
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

function subdirs(dir: string): string[] | undefined {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return undefined;
  }
}
