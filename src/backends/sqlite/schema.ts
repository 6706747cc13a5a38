import type BetterSqlite3 from "better-sqlite3";

/** Version of the schema, kept in `PRAGMA user_version`. 2 added `workers` and `metric_stats`. */
export const SCHEMA_VERSION = 2;

/**
 * The tables and the indexes the viewer's queries use: `runs` by project, one metric's series
 * by step (`metrics_run_name_step`), and the per-writer summaries kept as the run goes
 * (`workers`: pid, host, status, heartbeat; `metric_stats`: count / last / min / max of each
 * metric), so listing runs never reads the `metrics` table.
 */
const TABLES = `
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
CREATE TABLE IF NOT EXISTS workers (
  run_id TEXT NOT NULL,
  worker_id INTEGER NOT NULL,
  role TEXT NOT NULL,
  pid INTEGER,
  host TEXT,
  status TEXT NOT NULL,
  heartbeat_at INTEGER NOT NULL,
  PRIMARY KEY (run_id, worker_id)
);
CREATE TABLE IF NOT EXISTS metric_stats (
  run_id TEXT NOT NULL,
  worker_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  count INTEGER NOT NULL,
  last REAL,
  last_step INTEGER NOT NULL,
  last_time INTEGER NOT NULL,
  min REAL,
  max REAL,
  PRIMARY KEY (run_id, worker_id, name)
);
CREATE INDEX IF NOT EXISTS metrics_run_name_step ON metrics (run_id, name, step);
CREATE INDEX IF NOT EXISTS runs_project_started ON runs (project, started_at);
`;

/**
 * Creates the tables and indexes, and brings a database written by an older schema up to
 * {@link SCHEMA_VERSION}: the summaries of its runs computed once from their points, in one
 * immediate transaction (two processes opening the same old file migrate it once).
 *
 * @param db - an open, writable database
 */
export function ensureSchema(db: BetterSqlite3.Database): void {
  db.exec(TABLES);
  db.transaction(() => {
    const version = db.pragma("user_version", { simple: true }) as number;
    if (version >= SCHEMA_VERSION) return;
    db.exec(`
      INSERT OR IGNORE INTO metric_stats (run_id, worker_id, name, count, last_step, last_time, min, max)
        SELECT run_id, worker_id, name, count(*), 0, 0, min(value), max(value) FROM metrics GROUP BY run_id, worker_id, name;
      INSERT OR IGNORE INTO workers (run_id, worker_id, role, status, heartbeat_at)
        SELECT run_id, 0, role, status, coalesce(ended_at, started_at) FROM runs;
      INSERT OR IGNORE INTO workers (run_id, worker_id, role, status, heartbeat_at)
        SELECT DISTINCT s.run_id, s.worker_id, r.role, r.status, coalesce(r.ended_at, r.started_at)
        FROM metric_stats s JOIN runs r USING (run_id);
      UPDATE metric_stats SET (last, last_step, last_time) = (
        SELECT value, step, timestamp FROM metrics m
        WHERE m.run_id = metric_stats.run_id AND m.worker_id = metric_stats.worker_id AND m.name = metric_stats.name
        ORDER BY rowid DESC LIMIT 1
      ) WHERE last_time = 0;
    `);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
