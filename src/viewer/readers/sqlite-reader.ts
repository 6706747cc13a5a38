import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { sqliteDriver } from "../../backends/sqlite/driver.js";
import { ensureSchema, SCHEMA_VERSION } from "../../backends/sqlite/schema.js";
import { TraceletError } from "../../core/errors.js";
import { FOLLOW_POLL_MS } from "./jsonl-reader.js";
import { combineStatus, writerStatus } from "./liveness.js";
import { mergeMetrics } from "./merge-metrics.js";
import type { FollowBatch, RunReader, RunRow, Series, SeriesQuery, WorkerRow } from "./reader.js";

type Database = BetterSqlite3.Database;

/** Points per page of an export or a follower's poll. */
const PAGE = 10_000;

interface RunRecord {
  run_id: string;
  project: string;
  name: string;
  role: string;
  worker_count: number;
  tags: string;
  status: string;
  started_at: number;
  ended_at: number | null;
  error: string | null;
}

interface WorkerRecord {
  run_id: string;
  worker_id: number;
  role: string;
  pid: number | null;
  host: string | null;
  status: string;
  heartbeat_at: number;
}

interface StatRecord {
  run_id: string;
  worker_id: number;
  name: string;
  count: number;
  last: number | null;
  last_step: number;
  last_time: number;
  min: number | null;
  max: number | null;
}

interface PointRecord {
  id: number;
  worker_id: number;
  step: number;
  value: number | null;
  timestamp: number;
}

/**
 * Reads the database file of the `sqlite` backend (`tracelet ui --db <path>`): runs, params and
 * the per-writer summaries (`workers`, `metric_stats`) for listing, so listing never reads the
 * `metrics` table; a series is downsampled by SQL (per step bucket, the smallest and the
 * largest point, over the `metrics_run_name_step` index), new points are followed by rowid.
 * The file is opened read-only; one written by an older schema is migrated once, by the
 * backend's own code, before that.
 */
export class SqliteReader implements RunReader {
  private readonly db: Database;
  private readonly file: string;

  /**
   * @param path - the database file
   * @throws TraceletError `TRACELET_ERR_DEPENDENCY_MISSING` without better-sqlite3,
   *   `TRACELET_ERR_RUN_NOT_FOUND` when the file is missing or is not a Tracelet database
   */
  constructor(path: string) {
    const Database = sqliteDriver();
    this.file = resolve(path);
    if (!existsSync(this.file))
      throw new TraceletError("TRACELET_ERR_RUN_NOT_FOUND", `No database at ${this.file}.`, {
        details: { path: this.file },
      });
    this.db = open(Database, this.file);
  }

  async listRuns(options: { project?: string } = {}): Promise<RunRow[]> {
    return options.project === undefined
      ? this.rows("1 = 1", [])
      : this.rows("run_id IN (SELECT run_id FROM runs WHERE project = ?)", [options.project]);
  }

  async getRun(ref: string): Promise<RunRow> {
    const id = ref.startsWith(`sqlite:${this.file}#`) ? ref.slice(`sqlite:${this.file}#`.length) : ref;
    const exact = this.rows("run_id = ?", [id]);
    if (exact.length === 1) return exact[0];
    const ids = (
      this.db
        .prepare("SELECT run_id FROM runs WHERE substr(run_id, 1, ?) = ? ORDER BY run_id DESC LIMIT 6")
        .all(id.length, id) as { run_id: string }[]
    ).map((r) => r.run_id);
    if (ids.length === 1) return this.rows("run_id = ?", ids)[0];
    if (ids.length === 0)
      throw new TraceletError("TRACELET_ERR_RUN_NOT_FOUND", `No run "${ref}" in ${this.file}.`, {
        details: { run: ref, db: this.file },
      });
    const all = this.db
      .prepare("SELECT count(*) AS n FROM runs WHERE substr(run_id, 1, ?) = ?")
      .pluck()
      .get(id.length, id) as number;
    throw new TraceletError(
      "TRACELET_ERR_RUN_AMBIGUOUS",
      `"${ref}" matches ${all} runs (${ids.slice(0, 5).join(", ")}${all > 5 ? ", ..." : ""}).`,
      { details: { run: ref, matches: ids } },
    );
  }

  async readSeries(run: RunRow, metric: string, query: SeriesQuery): Promise<Series[]> {
    const width = Math.max(1, Math.min(10_000, Math.round(query.width)));
    const range = [run.id, metric, query.from ?? Number.NEGATIVE_INFINITY, query.to ?? Number.POSITIVE_INFINITY];
    const where = "run_id = ? AND name = ? AND step BETWEEN ? AND ?";
    const writers = run.workers.filter((w) => w.metrics[metric]);
    const picked = new Map<number, Map<number, PointRecord>>(writers.map((w) => [w.workerId, new Map()]));
    const totals = new Map<number, number>();
    const keep = (p: PointRecord) => picked.get(p.worker_id)?.set(p.id, p);
    // Counted over the index alone (it holds run, name and step): no row is read.
    const inRange = this.db
      .prepare(`SELECT count(*) FROM metrics WHERE ${where}`)
      .pluck()
      .get(...range) as number;
    const columns = "rowid AS id, worker_id, step, value, timestamp";
    if (inRange <= 2 * width + 2) {
      for (const p of this.db.prepare(`SELECT ${columns} FROM metrics WHERE ${where}`).all(...range) as PointRecord[]) {
        keep(p);
        totals.set(p.worker_id, (totals.get(p.worker_id) ?? 0) + 1);
      }
    } else {
      const lo = this.db
        .prepare(`SELECT step FROM metrics WHERE ${where} ORDER BY step LIMIT 1`)
        .pluck()
        .get(...range);
      const hi = this.db
        .prepare(`SELECT step FROM metrics WHERE ${where} ORDER BY step DESC LIMIT 1`)
        .pluck()
        .get(...range);
      const bucket = "CAST((step - ?) * ? / ? AS INTEGER)";
      const args = [lo, width, (hi as number) - (lo as number) + 1, ...range];
      // One aggregate per query: SQLite then takes the other columns from the row holding the
      // minimum (or maximum), so each bucket's extreme points come with their step and time.
      for (const agg of ["min", "max"] as const) {
        const rows = this.db
          .prepare(
            `SELECT rowid AS id, worker_id, step, ${agg}(value) AS value, timestamp, count(*) AS n, ${bucket} AS b
             FROM metrics WHERE ${where} GROUP BY worker_id, b`,
          )
          .all(...args) as (PointRecord & { n: number })[];
        for (const p of rows) {
          if (p.value !== null) keep(p);
          if (agg === "min") totals.set(p.worker_id, (totals.get(p.worker_id) ?? 0) + p.n);
        }
      }
      for (const w of writers) {
        for (const order of ["ASC", "DESC"]) {
          const edge = this.db
            .prepare(
              `SELECT ${columns} FROM metrics WHERE ${where} AND worker_id = ? ORDER BY step ${order}, rowid ${order} LIMIT 1`,
            )
            .get(...range, w.workerId) as PointRecord | undefined;
          if (edge) keep(edge);
        }
      }
    }
    return writers.map((w) => {
      const points = [...(picked.get(w.workerId)?.values() ?? [])].sort((a, b) => a.step - b.step || a.id - b.id);
      const total = totals.get(w.workerId) ?? 0;
      return {
        run: run.id,
        metric,
        worker: w.key,
        step: points.map((p) => p.step),
        value: points.map((p) => p.value ?? Number.NaN),
        time: points.map((p) => p.timestamp),
        total,
        full: points.length === total,
      };
    });
  }

  async *iteratePoints(run: RunRow): AsyncGenerator<FollowBatch> {
    let after = -1;
    for (;;) {
      const page = this.page(run.id, after);
      if (page.length === 0) return;
      after = page[page.length - 1].id;
      yield* this.batches(run, page);
    }
  }

  async follow(run: RunRow, onBatch: (batch: FollowBatch) => void): Promise<() => void> {
    let after = (this.db.prepare("SELECT max(rowid) FROM metrics").pluck().get() as number | null) ?? 0;
    let stopped = false;
    const timer = setInterval(() => {
      try {
        for (;;) {
          const page = this.page(run.id, after);
          if (page.length === 0 || stopped) return;
          after = page[page.length - 1].id;
          for (const batch of this.batches(run, page)) onBatch(batch);
        }
      } catch {
        // Busy or being checkpointed: the next tick reads from the same rowid.
      }
    }, FOLLOW_POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }

  /** Closes the database. */
  close(): void {
    this.db.close();
  }

  /** The next points of a run after a rowid, in logging order (the table's rowid). */
  private page(runId: string, after: number): (PointRecord & { name: string })[] {
    return this.db
      .prepare(
        "SELECT rowid AS id, worker_id, name, step, value, timestamp FROM metrics WHERE rowid > ? AND run_id = ? ORDER BY rowid LIMIT ?",
      )
      .all(after, runId, PAGE) as (PointRecord & { name: string })[];
  }

  /** A page of points cut into one batch per run of consecutive points of one worker. */
  private *batches(run: RunRow, page: (PointRecord & { name: string })[]): Generator<FollowBatch> {
    const keys = new Map(run.workers.map((w) => [w.workerId, w.key]));
    let batch: FollowBatch | undefined;
    let worker = -1;
    for (const p of page) {
      if (!batch || p.worker_id !== worker) {
        if (batch) yield batch;
        worker = p.worker_id;
        batch = { run: run.id, worker: keys.get(worker) ?? `worker-${worker}`, points: [] };
      }
      batch.points.push({ name: p.name, value: p.value ?? Number.NaN, step: p.step, timestamp: p.timestamp });
    }
    if (batch) yield batch;
  }

  /** The runs whose `run_id` matches `where`, newest first, with params, workers and metric summaries. */
  private rows(where: string, args: unknown[]): RunRow[] {
    const db = this.db;
    const runs = db
      .prepare(
        `SELECT run_id, project, name, role, worker_count, tags, status, started_at, ended_at, error FROM runs WHERE ${where} ORDER BY run_id DESC`,
      )
      .all(...args) as RunRecord[];
    const params = new Map<string, Record<string, unknown>>();
    for (const p of db.prepare(`SELECT run_id, key, value FROM params WHERE ${where}`).all(...args) as {
      run_id: string;
      key: string;
      value: string;
    }[]) {
      let value: unknown;
      try {
        value = JSON.parse(p.value);
      } catch {
        value = p.value;
      }
      const o = params.get(p.run_id) ?? {};
      o[p.key] = value;
      params.set(p.run_id, o);
    }
    const workers = new Map<string, WorkerRow[]>();
    const byWorker = new Map<string, WorkerRow>();
    const counts = new Map(runs.map((r) => [r.run_id, r.worker_count]));
    for (const w of db
      .prepare(`SELECT * FROM workers WHERE ${where} ORDER BY run_id, worker_id`)
      .all(...args) as WorkerRecord[]) {
      const alone = (counts.get(w.run_id) ?? 1) <= 1 && w.worker_id === 0 && w.role === "main";
      const heartbeatAt = new Date(w.heartbeat_at).toISOString();
      const row: WorkerRow = {
        key: alone ? "main" : `${w.role}-${w.worker_id}`,
        role: w.role,
        workerId: w.worker_id,
        ...(w.pid !== null ? { pid: w.pid } : {}),
        ...(w.host !== null ? { host: w.host } : {}),
        status: writerStatus(w.status, w.pid ?? undefined, w.host ?? undefined, heartbeatAt),
        heartbeatAt,
        metrics: {},
      };
      workers.set(w.run_id, [...(workers.get(w.run_id) ?? []), row]);
      byWorker.set(`${w.run_id}\0${w.worker_id}`, row);
    }
    for (const s of db.prepare(`SELECT * FROM metric_stats WHERE ${where}`).all(...args) as StatRecord[]) {
      const w = byWorker.get(`${s.run_id}\0${s.worker_id}`);
      if (!w) continue;
      w.metrics[s.name] = {
        count: s.count,
        last: s.last ?? Number.NaN,
        lastStep: s.last_step,
        lastTime: s.last_time,
        min: s.min,
        max: s.max,
      };
    }
    return runs.map((r) => {
      const ws = workers.get(r.run_id) ?? [];
      const status =
        ws.length > 0
          ? combineStatus(ws.map((w) => w.status))
          : writerStatus(r.status, undefined, undefined, undefined);
      const heartbeatAt = ws
        .map((w) => w.heartbeatAt)
        .filter((h): h is string => !!h)
        .sort()
        .at(-1);
      const startedAt = new Date(r.started_at).toISOString();
      const endedAt = r.ended_at === null ? undefined : new Date(r.ended_at).toISOString();
      const until = status === "running" || status === "crashed" ? heartbeatAt : endedAt;
      const ended = parseEnd(r.error);
      return {
        id: r.run_id,
        project: r.project,
        name: r.name,
        location: `sqlite:${this.file}#${r.run_id}`,
        status: r.status === "failed" || r.status === "interrupted" ? r.status : status,
        startedAt,
        endedAt,
        heartbeatAt,
        durationMs: until ? Math.max(0, Date.parse(until) - r.started_at) : undefined,
        tags: parseObject(r.tags) as Record<string, string>,
        params: params.get(r.run_id) ?? {},
        metrics: mergeMetrics(ws),
        workers: ws,
        ...ended,
      };
    });
  }
}

/** Opens the file read-only, after migrating a file of an older schema with the backend's code. */
function open(Database: typeof BetterSqlite3, file: string): Database {
  const notOurs = (cause?: unknown) =>
    new TraceletError("TRACELET_ERR_RUN_NOT_FOUND", `${file} is not a database of Tracelet's sqlite backend.`, {
      cause,
      details: { path: file },
    });
  let db: Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: 5000 });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    if (!tables.includes("runs") || !tables.includes("metrics")) {
      db.close();
      throw notOurs();
    }
    if ((db.pragma("user_version", { simple: true }) as number) >= SCHEMA_VERSION) return db;
    db.close();
  } catch (error) {
    throw (error as TraceletError).code === "TRACELET_ERR_RUN_NOT_FOUND" ? error : notOurs(error);
  }
  const writable = new Database(file, { fileMustExist: true, timeout: 5000 });
  try {
    ensureSchema(writable);
  } finally {
    writable.close();
  }
  return new Database(file, { readonly: true, fileMustExist: true, timeout: 5000 });
}

function parseObject(text: string | null): Record<string, unknown> {
  try {
    const v = JSON.parse(text ?? "{}");
    return v && typeof v === "object" && !Array.isArray(v) ? v : {};
  } catch {
    return {};
  }
}

/** The `error` column: a coded error, or the signal that interrupted the run. */
function parseEnd(text: string | null): Pick<RunRow, "error" | "signal"> {
  const e = parseObject(text);
  if (typeof e.signal === "string") return { signal: e.signal };
  if (typeof e.code === "string") return { error: { code: e.code, message: String(e.message ?? "") } };
  return {};
}
