import { open, readdir, readFile, stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { INDEX_FIELDS, IndexField, type RunSummaryDoc, readSummary } from "../../backends/jsonl/run-summary.js";
import { decodeLine } from "../../core/data/record-codec.js";
import { TraceletError } from "../../core/errors.js";
import type { MetricRecord } from "../../core/types.js";
import { Downsampler } from "./downsample.js";
import { combineStatus, writerStatus } from "./liveness.js";
import type { FollowBatch, MetricStat, RunReader, RunRow, Series, SeriesQuery, WorkerRow } from "./reader.js";

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

  /** @param dir - the runs directory (`./tracelet-runs` by default in the CLI) */
  constructor(readonly dir: string) {}

  async listRuns(options: { project?: string } = {}): Promise<RunRow[]> {
    const projects = await subdirs(this.dir);
    if (projects === undefined)
      throw new TraceletError("TRACELET_ERR_RUN_NOT_FOUND", `No runs directory at ${this.dir}.`, {
        details: { path: this.dir },
      });
    const dirs: string[] = [];
    for (const project of projects) {
      if (options.project !== undefined && project !== options.project) continue;
      for (const id of (await subdirs(join(this.dir, project))) ?? []) dirs.push(join(this.dir, project, id));
    }
    const rows = await mapLimit(dirs, 32, (d) => this.readRunDir(d));
    return rows.filter((r): r is RunRow => r !== undefined).sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  }

  async getRun(ref: string): Promise<RunRow> {
    const asDir = await this.readRunDir(resolve(ref));
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
    for (const w of await this.writersOf(run.location)) {
      if (w.summary && !w.summary.metrics[metric]) continue;
      const s = await this.writerSeries(run.location, w, metric, query);
      if (s.total > 0 || w.summary) out.push({ run: run.id, metric, worker: w.key, ...s });
    }
    return out;
  }

  async *iteratePoints(run: RunRow): AsyncGenerator<FollowBatch> {
    for (const w of await this.writersOf(run.location)) {
      const path = join(run.location, w.metricsFile);
      for await (const points of scanChunks(path, 0, await fileSize(path))) {
        yield { run: run.id, worker: w.key, points };
      }
    }
  }

  async follow(run: RunRow, onBatch: (batch: FollowBatch) => void): Promise<() => void> {
    const cursors = new Map<string, number>();
    const known = async () => {
      for (const w of await this.writersOf(run.location, true)) {
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

  /** Reads one run directory; `undefined` when it is not one. */
  private async readRunDir(dir: string): Promise<RunRow | undefined> {
    const runFile = await readJson(join(dir, "run.json"));
    if (!runFile) return undefined;
    const params = (await readJson(join(dir, "params.json"))) ?? {};
    const writers = await this.writersOf(dir, true);
    const workers: WorkerRow[] = [];
    for (const w of writers) {
      const s = w.summary;
      if (!s) continue;
      workers.push({
        key: w.key,
        role: s.role,
        workerId: s.workerId,
        pid: s.pid,
        host: s.host,
        status: writerStatus(s.status, s.pid, s.host, s.heartbeatAt),
        heartbeatAt: s.heartbeatAt,
        metrics: Object.fromEntries(
          Object.entries(s.metrics).map(([k, m]) => [
            k,
            { count: m.count, last: m.last, lastStep: m.lastStep, lastTime: m.lastTime, min: m.min, max: m.max },
          ]),
        ),
      });
    }
    const str = (v: unknown) => (typeof v === "string" ? v : undefined);
    const recorded = str(runFile.status);
    const own = writerStatus(
      recorded,
      typeof runFile.pid === "number" ? runFile.pid : undefined,
      str(runFile.hostname),
      str(runFile.heartbeatAt),
    );
    const status = workers.length > 0 ? combineStatus(workers.map((w) => w.status)) : own;
    const heartbeats = workers.map((w) => w.heartbeatAt).concat(str(runFile.heartbeatAt));
    const heartbeatAt = heartbeats
      .filter((h): h is string => !!h)
      .sort()
      .at(-1);
    const startedAt = str(runFile.startedAt);
    const endedAt = str(runFile.endedAt);
    const until = status === "running" || status === "crashed" ? heartbeatAt : endedAt;
    const error = runFile.error as RunRow["error"];
    return {
      id: str(runFile.runId) ?? basename(dir),
      project: str(runFile.project) ?? basename(resolve(dir, "..")),
      name: str(runFile.name) ?? basename(dir),
      location: dir,
      status: recorded === "failed" || recorded === "interrupted" ? recorded : status,
      startedAt,
      endedAt,
      heartbeatAt,
      durationMs: startedAt && until ? Math.max(0, Date.parse(until) - Date.parse(startedAt)) : undefined,
      tags: (runFile.tags as Record<string, string>) ?? {},
      params,
      metrics: mergeMetrics(workers),
      workers,
      ...(error ? { error } : {}),
      ...(str(runFile.signal) ? { signal: str(runFile.signal) } : {}),
    };
  }

  /** The writers of a run directory: one per `metrics*.jsonl`, with its summary if any. */
  private async writersOf(dir: string, fresh = false): Promise<Writer[]> {
    const cached = this.writers.get(dir);
    if (cached && !fresh) {
      for (const w of cached) if (w.summary) w.summary = readSummary(join(dir, summaryName(w.metricsFile)));
      return cached;
    }
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return [];
    }
    const writers: Writer[] = names
      .filter((n) => /^metrics(\.[A-Za-z0-9_-]+)?\.jsonl$/.test(n))
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
    if (first >= 0) {
      const selected = last - first + 1;
      if (selected < width || inRange <= 2 * width) {
        // Few blocks: their points read whole, so a zoomed-in chart gets full resolution.
        await readBlocks(path, metric, f, first, last, take);
      } else {
        for (let b = first; b <= last; b++) {
          const inside = f(b, IndexField.firstStep) >= from && f(b, IndexField.lastStep) <= to;
          if (!inside) {
            await readBlocks(path, metric, f, b, b, take);
            continue;
          }
          total += f(b, IndexField.count);
          d.add(f(b, IndexField.firstStep), f(b, IndexField.firstValue), f(b, IndexField.firstTime));
          d.add(f(b, IndexField.lastStep), f(b, IndexField.lastValue), f(b, IndexField.lastTime));
          if (!Number.isNaN(f(b, IndexField.minValue))) {
            d.add(f(b, IndexField.minStep), f(b, IndexField.minValue), f(b, IndexField.minTime));
            d.add(f(b, IndexField.maxStep), f(b, IndexField.maxValue), f(b, IndexField.maxTime));
          }
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
    return finish(d, total);
  }
}

function finish(d: Downsampler, total: number): Omit<Series, "run" | "metric" | "worker"> {
  const cols = d.result();
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

/** The index records of one metric, as one Float64Array. */
async function readIndex(path: string, bytes: number, id: number): Promise<Float64Array> {
  let raw: Buffer;
  try {
    const h = await open(path, "r");
    try {
      raw = Buffer.alloc(bytes - (bytes % (INDEX_FIELDS * 8)));
      await h.read(raw, 0, raw.length, 0);
    } finally {
      await h.close();
    }
  } catch {
    return new Float64Array(0);
  }
  const all = new Float64Array(raw.buffer, raw.byteOffset, raw.length / 8);
  let n = 0;
  for (let r = 0; r < all.length; r += INDEX_FIELDS) if (all[r] === id) n++;
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

function mergeMetrics(workers: WorkerRow[]): Record<string, MetricStat> {
  const out: Record<string, MetricStat> = {};
  for (const w of workers) {
    for (const [name, m] of Object.entries(w.metrics)) {
      const o = out[name];
      if (!o) {
        out[name] = { ...m };
        continue;
      }
      o.count += m.count;
      if (m.lastTime >= o.lastTime) Object.assign(o, { last: m.last, lastStep: m.lastStep, lastTime: m.lastTime });
      if (m.min !== null && (o.min === null || m.min < o.min)) o.min = m.min;
      if (m.max !== null && (o.max === null || m.max > o.max)) o.max = m.max;
    }
  }
  return out;
}

function writerKey(metricsFile: string): string {
  return /^metrics\.(.+)\.jsonl$/.exec(metricsFile)?.[1] ?? "main";
}

function summaryName(metricsFile: string): string {
  return metricsFile.replace(/^metrics/, "summary").replace(/\.jsonl$/, ".json");
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

async function subdirs(dir: string): Promise<string[] | undefined> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return undefined;
  }
}

async function readJson(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    const v = JSON.parse(await readFile(path, "utf8"));
    return v && typeof v === "object" && !Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
