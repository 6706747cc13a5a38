import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import type { PluginClass } from "../../core/plugin-api.js";
import type { RunEnd } from "../../core/run-end.js";
import type { MetricRecord, PluginContext } from "../../core/types.js";
import { BackendPlugin } from "../../plugins/authoring/base.js";
import { requirePeer } from "../peer-client.js";
import { sqliteMetadata } from "./metadata.js";

type Database = BetterSqlite3.Database;

/** Config of the `sqlite` backend. */
export interface SqliteConfig {
  /** The database file (default `./tracelet-runs/tracelet.db`); many runs share it. */
  path?: string;
  /** How long a write waits for another writer's lock before failing (default 5000 ms). */
  busyTimeoutMs?: number;
  /** SQLite's `synchronous` pragma (default `"normal"`). */
  synchronous?: "off" | "normal" | "full";
}

/** The tables and the indexes the viewer's queries use (run list by project, one metric's series). */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  run_id TEXT PRIMARY KEY,
  project TEXT NOT NULL,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  worker_count INTEGER NOT NULL,
  tags TEXT NOT NULL DEFAULT '{}',
  status TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER,
  error TEXT
);
CREATE TABLE IF NOT EXISTS params (
  run_id TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
);
CREATE TABLE IF NOT EXISTS metrics (
  run_id TEXT NOT NULL,
  worker_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  step INTEGER NOT NULL,
  value REAL,
  timestamp INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS metrics_run_name_step ON metrics (run_id, name, step);
CREATE INDEX IF NOT EXISTS runs_project_started ON runs (project, started_at);
PRAGMA user_version = 1;
`;

function driver(): typeof BetterSqlite3 {
  const [name, range] = Object.entries(sqliteMetadata.requires)[0] as [string, string];
  return requirePeer<typeof BetterSqlite3>("sqlite", name, range);
}

/**
 * Loads the backend's class after checking that its client (`better-sqlite3`) is installed: how
 * the built-in is registered, so that naming `sqlite` without the client rejects the run's start.
 *
 * @returns the class
 * @throws TraceletError `TRACELET_ERR_DEPENDENCY_MISSING` (with the `npm install` line),
 *   `TRACELET_ERR_DEPENDENCY_VERSION`
 */
export function loadSqliteBackend(): PluginClass {
  driver();
  return SqliteBackend;
}

/**
 * Writes runs, params and metrics into one SQLite database file shared by many runs (and by
 * the workers of one run), in WAL mode so readers never block the writer. Each batch is one
 * transaction: wholly stored or (when it throws, e.g. SQLITE_BUSY past `busyTimeoutMs`) not at
 * all, so a retry stores it exactly once. NaN is stored as NULL (SQLite has no NaN); ±Infinity
 * as SQLite's ±Inf.
 */
export class SqliteBackend extends BackendPlugin<SqliteConfig> {
  /** Static metadata, so the class can be registered by hand too. */
  static metadata = sqliteMetadata;
  private db: Database | undefined;
  private insertBatch: ((batch: MetricRecord[]) => void) | undefined;
  private file = "";
  private written = 0;
  private tags: Record<string, string> = {};

  /** The database file. */
  get path(): string {
    return this.file;
  }

  override initialize(config: Readonly<SqliteConfig>, context: PluginContext): void {
    super.initialize(config, context);
    this.file = resolve(config.path ?? "./tracelet-runs/tracelet.db");
    mkdirSync(dirname(this.file), { recursive: true });
    const Database = driver();
    const db = new Database(this.file, { timeout: config.busyTimeoutMs ?? 5000 });
    try {
      db.pragma("journal_mode = WAL");
      db.pragma(`synchronous = ${(config.synchronous ?? "normal").toUpperCase()}`);
      db.exec(SCHEMA);
      const run = context.run;
      this.tags = { ...run.tags };
      // A replay (`tracelet sync`) or another worker of the same run keeps the row as it is.
      db.prepare(
        `INSERT INTO runs (run_id, project, name, role, worker_count, tags, status, started_at)
         VALUES (?, ?, ?, ?, ?, ?, 'running', ?) ON CONFLICT (run_id) DO NOTHING`,
      ).run(run.runId, run.project, run.name, run.role, run.workerCount, JSON.stringify(this.tags), Date.now());
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
    this.insertBatch = db.transaction((batch: MetricRecord[]) => {
      for (const p of batch) {
        insert.run(run.runId, run.workerId, p.name, p.step, Number.isNaN(p.value) ? null : p.value, p.timestamp);
      }
    });
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
    const db = this.db;
    if (!db) return;
    try {
      if (!(this.context.replay && !end)) {
        const e = end ?? { status: "finished" as const };
        const error = e.error ? JSON.stringify(e.error) : e.signal ? JSON.stringify({ signal: e.signal }) : null;
        db.prepare("UPDATE runs SET status = ?, ended_at = ?, error = ? WHERE run_id = ?").run(
          e.status,
          Date.now(),
          error,
          this.context.run.runId,
        );
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
