import { mkdirSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, resolve } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import type { PluginClass } from "../../core/plugin-api.js";
import type { RunEnd } from "../../core/run-end.js";
import type { MetricRecord, PluginContext } from "../../core/types.js";
import { BackendPlugin } from "../../plugins/authoring/base.js";
import { sqliteDriver } from "./driver.js";
import { type SqliteConfig, sqliteMetadata } from "./metadata.js";
import { ensureSchema } from "./schema.js";

type Database = BetterSqlite3.Database;

/** How often a running writer updates its `workers.heartbeat_at`, ms. */
export const HEARTBEAT_MS = 2_000;

/** One metric's part of a batch, folded into its `metric_stats` row. */
interface BatchStat {
  count: number;
  last: number | null;
  lastStep: number;
  lastTime: number;
  min: number | null;
  max: number | null;
}

export type { SqliteConfig };

/**
 * Loads the backend's class after checking that its client (`better-sqlite3`) is installed: how
 * the built-in is registered, so that naming `sqlite` without the client rejects the run's start.
 *
 * @returns the class
 * @throws TraceletError `TRACELET_ERR_DEPENDENCY_MISSING` (with the `npm install` line),
 *   `TRACELET_ERR_DEPENDENCY_VERSION`
 */
export function loadSqliteBackend(): PluginClass {
  sqliteDriver();
  return SqliteBackend;
}

/**
 * Writes runs, params and metrics into one SQLite database file shared by many runs (and by
 * the workers of one run), in WAL mode so readers never block the writer. Each batch is one
 * transaction: wholly stored or (when it throws, e.g. SQLITE_BUSY past `busyTimeoutMs`) not at
 * all, so a retry stores it exactly once. NaN is stored as NULL (SQLite has no NaN); ±Infinity
 * as SQLite's ±Inf. The same transaction updates the writer's summary (`metric_stats`: count,
 * last, min, max per metric; `workers`: heartbeat), and a timer beats every
 * {@link HEARTBEAT_MS} ms, so the viewer lists runs without reading their points and tells a
 * crashed writer (pid gone, or heartbeat stale) from a running one.
 */
export class SqliteBackend extends BackendPlugin<SqliteConfig> {
  /** Static metadata, so the class can be registered by hand too. */
  static metadata = sqliteMetadata;
  private db: Database | undefined;
  private insertBatch: ((batch: MetricRecord[]) => void) | undefined;
  private file = "";
  private written = 0;
  private tags: Record<string, string> = {};
  private heartbeat: NodeJS.Timeout | undefined;

  /** The database file. */
  get path(): string {
    return this.file;
  }

  override initialize(config: Readonly<SqliteConfig>, context: PluginContext): void {
    super.initialize(config, context);
    this.file = resolve(config.path ?? "./tracelet-runs/tracelet.db");
    mkdirSync(dirname(this.file), { recursive: true });
    const Database = sqliteDriver();
    const db = new Database(this.file, { timeout: config.busyTimeoutMs ?? 5000 });
    try {
      db.pragma("journal_mode = WAL");
      db.pragma(`synchronous = ${(config.synchronous ?? "normal").toUpperCase()}`);
      ensureSchema(db);
      const run = context.run;
      this.tags = { ...run.tags };
      // A replay (`tracelet sync`) or another worker of the same run keeps the row as it is.
      db.prepare(
        `INSERT INTO runs (run_id, project, name, role, worker_count, tags, status, started_at)
         VALUES (?, ?, ?, ?, ?, ?, 'running', ?) ON CONFLICT (run_id) DO NOTHING`,
      ).run(run.runId, run.project, run.name, run.role, run.workerCount, JSON.stringify(this.tags), Date.now());
      // A replay runs in another process than the one that wrote: it leaves the writer's row alone.
      db.prepare(
        `INSERT INTO workers (run_id, worker_id, role, pid, host, status, heartbeat_at)
         VALUES (?, ?, ?, ?, ?, 'running', ?) ON CONFLICT (run_id, worker_id) DO ${
           context.replay
             ? "NOTHING"
             : "UPDATE SET role = excluded.role, pid = excluded.pid, host = excluded.host, status = 'running', heartbeat_at = excluded.heartbeat_at"
         }`,
      ).run(
        run.runId,
        run.workerId,
        run.role,
        context.replay ? null : process.pid,
        context.replay ? null : hostname(),
        Date.now(),
      );
    } catch (error) {
      db.close();
      throw error;
    }
    this.db = db;
  }

  override start(): void {
    const db = this.opened();
    const run = this.context.run;
    const insert = db.prepare(
      "INSERT INTO metrics (run_id, worker_id, name, step, value, timestamp) VALUES (?, ?, ?, ?, ?, ?)",
    );
    // min/max: SQLite's two-argument min() is NULL when either is, hence the coalesce.
    const fold = db.prepare(
      `INSERT INTO metric_stats (run_id, worker_id, name, count, last, last_step, last_time, min, max)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, worker_id, name) DO UPDATE SET
         count = count + excluded.count, last = excluded.last, last_step = excluded.last_step,
         last_time = excluded.last_time,
         min = min(coalesce(min, excluded.min), coalesce(excluded.min, min)),
         max = max(coalesce(max, excluded.max), coalesce(excluded.max, max))`,
    );
    const beat = db.prepare("UPDATE workers SET heartbeat_at = ? WHERE run_id = ? AND worker_id = ?");
    this.insertBatch = db.transaction((batch: MetricRecord[]) => {
      const stats = new Map<string, BatchStat>();
      for (const p of batch) {
        const value = Number.isNaN(p.value) ? null : p.value;
        insert.run(run.runId, run.workerId, p.name, p.step, value, p.timestamp);
        const s = stats.get(p.name);
        if (!s) {
          stats.set(p.name, { count: 1, last: value, lastStep: p.step, lastTime: p.timestamp, min: value, max: value });
          continue;
        }
        s.count++;
        s.last = value;
        s.lastStep = p.step;
        s.lastTime = p.timestamp;
        if (value !== null) {
          if (s.min === null || value < s.min) s.min = value;
          if (s.max === null || value > s.max) s.max = value;
        }
      }
      for (const [name, s] of stats)
        fold.run(run.runId, run.workerId, name, s.count, s.last, s.lastStep, s.lastTime, s.min, s.max);
      if (!this.context.replay) beat.run(Date.now(), run.runId, run.workerId);
    });
    if (!this.context.replay) {
      this.heartbeat = setInterval(() => {
        try {
          beat.run(Date.now(), run.runId, run.workerId);
        } catch {
          // Busy (another writer holds the lock): the next beat or batch will do.
        }
      }, HEARTBEAT_MS);
      this.heartbeat.unref();
    }
  }

  logMetric(name: string, value: number, step = 0, timestamp = Date.now()): void {
    this.logMetrics([{ name, value, step, timestamp }]);
  }

  override logMetrics(batch: MetricRecord[]): void {
    if (!this.insertBatch) throw new Error("sqlite backend is not started");
    this.insertBatch(batch);
    this.written += batch.length;
  }

  override logParams(params: Record<string, unknown>): void {
    const db = this.opened();
    const upsert = db.prepare(
      "INSERT INTO params (run_id, key, value) VALUES (?, ?, ?) ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value",
    );
    const runId = this.context.run.runId;
    db.transaction(() => {
      for (const [key, value] of Object.entries(params)) upsert.run(runId, key, JSON.stringify(value) ?? "null");
    })();
  }

  /**
   * Merges tags into the run's row (`runs.tags`, a JSON object).
   *
   * @param tags - the run's tags
   */
  override setTags(tags: Record<string, string>): void {
    const merged = { ...this.tags, ...tags };
    this.opened()
      .prepare("UPDATE runs SET tags = ? WHERE run_id = ?")
      .run(JSON.stringify(merged), this.context.run.runId);
    this.tags = merged;
  }

  override flush(): void {
    // Each batch was committed in its own transaction: nothing is pending.
  }

  override stop(end?: RunEnd): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    const db = this.db;
    if (!db) return;
    try {
      if (!(this.context.replay && !end)) {
        const e = end ?? { status: "finished" as const };
        const error = e.error ? JSON.stringify(e.error) : e.signal ? JSON.stringify({ signal: e.signal }) : null;
        const now = Date.now();
        const run = this.context.run;
        db.transaction(() => {
          db.prepare("UPDATE runs SET status = ?, ended_at = ?, error = ? WHERE run_id = ?").run(
            e.status,
            now,
            error,
            run.runId,
          );
          db.prepare("UPDATE workers SET status = ?, heartbeat_at = ? WHERE run_id = ? AND worker_id = ?").run(
            e.status,
            now,
            run.runId,
            run.workerId,
          );
        })();
      }
    } finally {
      this.db = undefined;
      this.insertBatch = undefined;
      db.close();
    }
  }

  override getStatus(): Record<string, unknown> {
    return { connected: this.db !== undefined, path: this.file, points: this.written };
  }

  private opened(): Database {
    if (!this.db) throw new Error("sqlite backend is not initialized");
    return this.db;
  }
}
