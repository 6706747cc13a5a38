import { execFileSync } from "node:child_process";
import { cpSync, readdirSync, symlinkSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startExperiment } from "../../../src/index.js";
import { SqliteReader } from "../../../src/viewer/readers/sqlite-reader.js";
import { startViewerServer, type ViewerServer } from "../../../src/viewer/server/server.js";
import { ROOT, runCli } from "../../helpers/cli.js";
import { tempDir } from "../../helpers/temp-dir.js";
import { testPageAssets } from "../page-assets.js";

/** `n` runs logged through the sqlite backend into `<cwd>/t.db`: params lr/opt, metrics loss and train/acc. */
async function sqliteRuns(cwd: string, n: number, points = 50): Promise<{ db: string; ids: string[] }> {
  const db = join(cwd, "t.db");
  const ids: string[] = [];
  for (let r = 0; r < n; r++) {
    const exp = await startExperiment({
      cwd,
      project: "p",
      name: `run${r}`,
      logLevel: "silent",
      backends: ["sqlite"],
      plugins: { sqlite: { path: db } },
    });
    await exp.logParams({ lr: 0.1 / (r + 1), opt: r % 2 ? "sgd" : "adam" });
    for (let i = 0; i < points; i++) exp.logMetrics({ loss: (r + 1) / (i + 1), "train/acc": i / points }, i);
    await exp.stop();
    ids.push(exp.id);
  }
  return { db, ids };
}

/** Reads with Debian's sqlite3 CLI, not with the reader's client. */
function sqlite3(db: string, sql: string): Array<Record<string, unknown>> {
  const out = execFileSync("sqlite3", ["-json", "-readonly", db, sql], { encoding: "utf8" });
  return out.trim() === "" ? [] : JSON.parse(out);
}

let server: ViewerServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("tracelet --db: the sqlite backend's file read back", () => {
  it("lists, shows, compares and exports runs logged through the sqlite backend", async () => {
    const cwd = await tempDir();
    const { db, ids } = await sqliteRuns(cwd, 3);
    const table = runCli(["runs", "--db", db]);
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout.split("\n")[0]).toMatch(
      /^ID\s+NAME\s+PROJECT\s+STATUS\s+STARTED\s+DURATION\s+lr\s+opt\s+loss\s+train\/acc$/,
    );
    for (const id of ids) expect(table.stdout).toContain(id);
    const json = JSON.parse(runCli(["runs", "--db", db, "--json", "--where", "params.lr < 0.06 and opt = sgd"]).stdout);
    expect(json.map((r: { name: string }) => r.name)).toEqual(["run1"]);
    expect(json[0]).toMatchObject({
      id: ids[1],
      status: "finished",
      params: { lr: 0.05, opt: "sgd" },
      metrics: { loss: { count: 50, last: 2 / 50, lastStep: 49, min: 2 / 50, max: 2 } },
    });
    const show = runCli(["show", ids[0].slice(0, -3), "--db", db]);
    expect(show.status, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/loss\s+50\s+0\.02\s+0\.02\s+1\s+49/);
    expect(show.stdout).toContain(`db        ${db}#${ids[0]}`);
    const compare = runCli(["compare", ids[0], ids[1], "--db", db]);
    expect(compare.stdout).toMatch(/^\*\s+params\.lr\s+0\.1\s+0\.05$/m);
    const out = join(cwd, "out.csv");
    expect(runCli(["export", ids[0], "--db", db, "--out", out]).status).toBe(0);
    const csv = (await readFile(out, "utf8")).trim().split("\n");
    expect(csv[0]).toBe("worker,name,step,value,timestamp");
    expect(csv).toHaveLength(101);
    expect(csv[1]).toMatch(/^main,loss,0,1,\d+$/);
    expect(csv[2]).toMatch(/^main,train\/acc,0,0,\d+$/);
    const html = join(cwd, "r.html");
    expect(runCli(["report", ids[0], ids[1], "--db", db, "--out", html]).status).toBe(0);
    expect(await readFile(html, "utf8")).toContain('"metric":"train/acc"');
  });

  it("downsamples a series in SQL: at most 2 points per bucket, every bucket's min and max, first and last kept", async () => {
    const cwd = await tempDir();
    const db = join(cwd, "t.db");
    const exp = await startExperiment({
      cwd,
      logLevel: "silent",
      backends: ["sqlite"],
      plugins: { sqlite: { path: db } },
    });
    const n = 20_000;
    const value = (i: number) => Math.sin(i / 50) + (i === 12_345 ? 9 : 0) - (i === 777 ? 7 : 0);
    for (let i = 0; i < n; i++) exp.logMetric("loss", value(i), i);
    exp.logMetric("loss", Number.NaN, n);
    await exp.stop();
    const reader = new SqliteReader(db);
    const run = await reader.getRun(exp.id);
    const [s] = await reader.readSeries(run, "loss", { width: 100 });
    expect(s).toMatchObject({ worker: "main", total: n + 1, full: false });
    expect(s.step.length).toBeLessThanOrEqual(2 * 100 + 2);
    expect(s.step[0]).toBe(0);
    expect(s.step.at(-1)).toBe(n);
    expect(s.value.at(-1)).toBeNaN();
    expect(s.step).toEqual([...s.step].sort((a, b) => a - b));
    // Each bucket of the step range keeps its smallest and largest value (the spikes among them).
    const span = n + 1;
    for (let b = 0; b < 100; b++) {
      const steps = Array.from({ length: n }, (_, i) => i).filter((i) => Math.floor((i * 100) / span) === b);
      const vals = steps.map(value);
      const kept = s.value.filter((_, k) => Math.floor((s.step[k] * 100) / span) === b);
      expect(kept, `bucket ${b}`).toContain(Math.max(...vals));
      expect(kept, `bucket ${b}`).toContain(Math.min(...vals));
    }
    expect(Math.max(...s.value.filter(Number.isFinite))).toBeCloseTo(9 + Math.sin(12_345 / 50));
    // Zoomed in: every point of the range, at full resolution.
    const [zoom] = await reader.readSeries(run, "loss", { from: 5000, to: 5100, width: 100 });
    expect(zoom).toMatchObject({ total: 101, full: true });
    expect(zoom.step).toEqual(Array.from({ length: 101 }, (_, i) => 5000 + i));
    expect(zoom.value[7]).toBe(value(5007));
    // The count of the range is read from the series index alone.
    const plan = execFileSync(
      "sqlite3",
      [
        "-readonly",
        db,
        `EXPLAIN QUERY PLAN SELECT count(*) FROM metrics WHERE run_id = 'x' AND name = 'loss' AND step BETWEEN 1 AND 2`,
      ],
      { encoding: "utf8" },
    );
    expect(plan).toContain("COVERING INDEX metrics_run_name_step");
    reader.close();
  });

  it("serves the runs and a downsampled series through the UI server, and streams a live point", async () => {
    const cwd = await tempDir();
    const { db, ids } = await sqliteRuns(cwd, 2, 3000);
    const live = await startExperiment({
      cwd,
      project: "p",
      name: "live",
      logLevel: "silent",
      backends: ["sqlite"],
      plugins: { sqlite: { path: db } },
    });
    live.logMetric("loss", 1, 0);
    await live.flush();
    server = await startViewerServer({ reader: new SqliteReader(db), port: 0, assets: await testPageAssets() });
    const runs = await (await fetch(`${server.url}api/runs`)).json();
    expect(runs.map((r: { id: string }) => r.id).sort()).toEqual([...ids, live.id].sort());
    expect(runs.find((r: { id: string }) => r.id === live.id)).toMatchObject({ status: "running", name: "live" });
    expect(runs[0]).not.toHaveProperty("location");
    const [series] = await (await fetch(`${server.url}api/series?run=${ids[0]}&metric=loss&width=200`)).json();
    expect(series).toMatchObject({ metric: "loss", worker: "main", total: 3000, full: false });
    expect(series.step.length).toBeLessThanOrEqual(402);
    expect(series.value[0]).toBe(1);
    const controller = new AbortController();
    const res = await fetch(`${server.url}api/events?runs=${live.id}`, { signal: controller.signal });
    const body = (res.body as ReadableStream<Uint8Array>).getReader();
    live.logMetric("loss", 42, 1);
    await live.flush();
    let text = "";
    while (!text.includes('"value":42')) {
      const { value, done } = await body.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(text).toMatch(
      /event: points\ndata: \{"run":"[^"]+","worker":"main","points":\[\{"name":"loss","value":42,"step":1,/,
    );
    controller.abort();
    await live.stop();
  });

  it("shows a run whose process was killed as crashed", async () => {
    const cwd = await tempDir();
    const db = join(cwd, "t.db");
    const script = `import { startExperiment } from ${JSON.stringify(join(ROOT, "dist/index.js"))};
      const exp = await startExperiment({ cwd: ${JSON.stringify(cwd)}, project: "p", logLevel: "silent",
        backends: ["sqlite"], plugins: { sqlite: { path: ${JSON.stringify(db)} } } });
      exp.logMetric("loss", 1, 0); await exp.flush(); process.kill(process.pid, "SIGKILL");`;
    try {
      execFileSync(process.execPath, ["--input-type=module", "-e", script]);
    } catch {}
    expect(sqlite3(db, "SELECT status FROM runs")).toEqual([{ status: "running" }]);
    const [run] = JSON.parse(runCli(["runs", "--db", db, "--json"]).stdout);
    expect(run.status).toBe("crashed");
    expect(run.metrics.loss.count).toBe(1);
  });

  it("reads a file written by the first schema (no summaries): migrated once, then listed from the summaries", async () => {
    const cwd = await tempDir();
    const db = join(cwd, "old.db");
    execFileSync("sqlite3", [
      db,
      `CREATE TABLE runs (run_id TEXT PRIMARY KEY, project TEXT NOT NULL, name TEXT NOT NULL, role TEXT NOT NULL,
         worker_count INTEGER NOT NULL, tags TEXT NOT NULL DEFAULT '{}', status TEXT NOT NULL, started_at INTEGER NOT NULL,
         ended_at INTEGER, error TEXT);
       CREATE TABLE params (run_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_id, key));
       CREATE TABLE metrics (run_id TEXT NOT NULL, worker_id INTEGER NOT NULL, name TEXT NOT NULL, step INTEGER NOT NULL,
         value REAL, timestamp INTEGER NOT NULL);
       CREATE INDEX metrics_run_name_step ON metrics (run_id, name, step);
       PRAGMA user_version = 1;
       INSERT INTO runs VALUES ('r1', 'p', 'old', 'main', 1, '{"team":"a"}', 'failed', 1000, 5000, '{"code":"E_X","message":"boom"}');
       INSERT INTO params VALUES ('r1', 'lr', '0.5');
       INSERT INTO metrics VALUES ('r1', 0, 'loss', 0, 3, 1000), ('r1', 0, 'loss', 1, 1, 2000), ('r1', 0, 'loss', 2, 2, 3000);`,
    ]);
    const [run] = JSON.parse(runCli(["runs", "--db", db, "--json"]).stdout);
    expect(run).toMatchObject({
      id: "r1",
      status: "failed",
      error: { code: "E_X", message: "boom" },
      tags: { team: "a" },
      params: { lr: 0.5 },
      durationMs: 4000,
      metrics: { loss: { count: 3, last: 2, lastStep: 2, lastTime: 3000, min: 1, max: 3 } },
    });
    expect(sqlite3(db, "PRAGMA user_version")).toEqual([{ user_version: 2 }]);
  });

  it("refuses bad inputs with one clear line and a non-zero exit", async () => {
    const cwd = await tempDir();
    const { db, ids } = await sqliteRuns(cwd, 2, 5);
    const notOurs = join(cwd, "notes.txt");
    execFileSync("sh", ["-c", `echo hello > ${notOurs}`]);
    const cases: [string[], RegExp][] = [
      [["show", "nope", "--db", db], /TRACELET_ERR_RUN_NOT_FOUND: No run "nope"/],
      [["show", ids[0].slice(0, 4), "--db", db], /TRACELET_ERR_RUN_AMBIGUOUS: "\d{4}" matches 2 runs/],
      [["runs", "--db", join(cwd, "missing.db")], /TRACELET_ERR_RUN_NOT_FOUND: No database at/],
      [["runs", "--db", notOurs], /TRACELET_ERR_RUN_NOT_FOUND: .* is not a database of Tracelet's sqlite backend/],
      [["runs", "--db", db, "--dir", cwd], /give --dir \(run directories\) or --db \(a database\), not both/],
      [["ui", "--db"], /option "--db" needs a value/],
    ];
    for (const [args, message] of cases) {
      const r = runCli(args);
      expect(r.status, args.join(" ")).not.toBe(0);
      expect(r.stderr, args.join(" ")).toMatch(message);
      expect(r.stderr.trim().split("\n").length, args.join(" ")).toBeLessThanOrEqual(2);
    }
  });

  it("without better-sqlite3 installed, --db fails with one line: TRACELET_ERR_DEPENDENCY_MISSING and what to install", async () => {
    const dir = await tempDir();
    // The built CLI in a project whose node_modules has everything but better-sqlite3.
    await mkdir(join(dir, "node_modules"));
    for (const entry of readdirSync(join(ROOT, "node_modules"))) {
      if (entry !== "better-sqlite3" && !entry.startsWith("."))
        symlinkSync(join(ROOT, "node_modules", entry), join(dir, "node_modules", entry));
    }
    cpSync(join(ROOT, "dist"), join(dir, "dist"), { recursive: true });
    for (const command of [
      ["runs", "--db", "t.db"],
      ["ui", "--db", "t.db", "--port", "0"],
    ]) {
      const r = execFileSync(
        "sh",
        ["-c", `${JSON.stringify(process.execPath)} dist/cli/main.js ${command.join(" ")} 2>&1; echo "exit $?"`],
        { cwd: dir, encoding: "utf8" },
      );
      const lines = r.trim().split("\n");
      expect(lines, command.join(" ")).toHaveLength(2);
      expect(lines[0]).toMatch(/^tracelet: TRACELET_ERR_DEPENDENCY_MISSING: .*npm install better-sqlite3@"\^12\.0\.0"/);
      expect(lines[1]).toBe("exit 1");
    }
  });
});
