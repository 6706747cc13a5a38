import { execFileSync } from "node:child_process";
import { readdirSync, symlinkSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { startExperiment } from "../../src/index.js";
import { tempDir } from "../helpers/temp-dir.js";

const ROOT = resolve(import.meta.dirname, "../..");

/** Reads with Debian's sqlite3 CLI, not with the backend's client. */
function sqlite3(db: string, sql: string): Array<Record<string, unknown>> {
  const out = execFileSync("sqlite3", ["-json", "-readonly", db, sql], { encoding: "utf8" });
  return out.trim() === "" ? [] : JSON.parse(out);
}

describe("the sqlite backend (read back with the sqlite3 CLI)", () => {
  it("stores every point once, in order, with its own timestamp and step; NaN as NULL, ±Infinity, '/' and unicode names", async () => {
    const cwd = await tempDir();
    const path = join(cwd, "t.db");
    const exp = await startExperiment({
      cwd,
      project: "p",
      logLevel: "silent",
      backends: ["sqlite"],
      batchSize: 64,
      plugins: { sqlite: { path } },
    });
    const names = ["train/loss", "éval/précision✓", "a"];
    const values = [0.1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -2.5e-300, 1 / 3];
    const logged: Array<{ name: string; step: number; value: string }> = [];
    const before = Date.now();
    for (let i = 0; i < 1000; i++) {
      const name = names[i % 3] as string;
      const value = values[i % values.length] as number;
      exp.logMetric(name, value, i);
      logged.push({
        name,
        step: i,
        value: Number.isNaN(value) ? "NULL" : value === Infinity ? "Inf" : value === -Infinity ? "-Inf" : String(value),
      });
    }
    exp.logParams({ lr: 0.01, model: { depth: 3 } });
    await exp.stop();
    const after = Date.now();
    const rows = sqlite3(
      path,
      "SELECT name, step, CASE WHEN value IS NULL THEN 'NULL' WHEN value > 1e308 THEN 'Inf' WHEN value < -1e308 THEN '-Inf' ELSE printf('%!.17g', value) END AS value, timestamp, worker_id FROM metrics WHERE run_id = '" +
        exp.id +
        "' ORDER BY rowid",
    );
    expect(
      rows.map(({ name, step, value }) => ({
        name,
        step,
        value: String(Number(value)) === "NaN" ? value : String(Number(value)),
      })),
    ).toEqual(logged);
    for (const r of rows) {
      expect(r.timestamp).toBeGreaterThanOrEqual(before);
      expect(r.timestamp).toBeLessThanOrEqual(after);
      expect(r.worker_id).toBe(0);
    }
    expect(sqlite3(path, "SELECT key, value FROM params ORDER BY key")).toEqual([
      { key: "lr", value: "0.01" },
      { key: "model.depth", value: "3" },
    ]);
    expect(sqlite3(path, "SELECT project, status, ended_at IS NOT NULL AS ended FROM runs")).toEqual([
      { project: "p", status: "finished", ended: 1 },
    ]);
    expect(sqlite3(path, "PRAGMA journal_mode")).toEqual([{ journal_mode: "wal" }]);
    const plan = execFileSync(
      "sqlite3",
      [
        "-readonly",
        path,
        "EXPLAIN QUERY PLAN SELECT step, value FROM metrics WHERE run_id = 'x' AND name = 'a' ORDER BY step",
      ],
      { encoding: "utf8" },
    );
    expect(plan).toContain("metrics_run_name_step");
  });

  it("keeps many runs in one file, each with its own rows", async () => {
    const cwd = await tempDir();
    const path = join(cwd, "t.db");
    const ids: string[] = [];
    for (let r = 0; r < 3; r++) {
      const exp = await startExperiment({
        cwd,
        project: "p",
        logLevel: "silent",
        backends: ["sqlite"],
        plugins: { sqlite: { path } },
      });
      for (let i = 0; i <= r; i++) exp.logMetric("m", r, i);
      await exp.stop();
      ids.push(exp.id);
    }
    const counts = sqlite3(path, "SELECT run_id, count(*) AS n FROM metrics GROUP BY run_id ORDER BY n");
    expect(counts).toEqual(ids.map((id, r) => ({ run_id: id, n: r + 1 })));
  });

  it("a locked database (another writer) is an outage: the data path retries, nothing lost or duplicated", async () => {
    const cwd = await tempDir();
    const path = join(cwd, "t.db");
    const exp = await startExperiment({
      cwd,
      logLevel: "silent",
      backends: ["sqlite"],
      batchSize: 20,
      retry: { initialDelayMs: 20, maxDelayMs: 50 },
      quarantineAfter: 1000,
      plugins: { sqlite: { path, busyTimeoutMs: 10 } },
    });
    for (let i = 0; i < 100; i++) exp.logMetric("m", i, i);
    await exp.flush();
    const other = new Database(path);
    try {
      other.exec("BEGIN IMMEDIATE");
      for (let i = 100; i < 300; i++) exp.logMetric("m", i, i);
      for (let i = 0; i < 100 && !exp.status().delivery.sqlite?.outage; i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(exp.status().delivery.sqlite).toMatchObject({ outage: true });
      other.exec("COMMIT");
    } finally {
      other.close();
    }
    await exp.stop();
    const steps = sqlite3(path, "SELECT step FROM metrics ORDER BY rowid").map((r) => r.step);
    expect(steps).toEqual(Array.from({ length: 300 }, (_, i) => i));
  });

  it("rejects a bad config with a coded error naming the key", async () => {
    const cwd = await tempDir();
    await expect(
      startExperiment({
        cwd,
        logLevel: "silent",
        backends: ["sqlite"],
        plugins: { sqlite: { synchronous: "sometimes" } },
      }),
    ).rejects.toMatchObject({ code: "TRACELET_ERR_CONFIG_INVALID", message: expect.stringContaining("synchronous") });
  });

  it("without better-sqlite3 installed, naming sqlite rejects with TRACELET_ERR_DEPENDENCY_MISSING and the npm install line", async () => {
    const dir = await tempDir();
    // Tracelet bundled into a project whose node_modules has everything but better-sqlite3.
    await mkdir(join(dir, "node_modules"));
    for (const entry of readdirSync(join(ROOT, "node_modules"))) {
      if (entry !== "better-sqlite3" && !entry.startsWith("."))
        symlinkSync(join(ROOT, "node_modules", entry), join(dir, "node_modules", entry));
    }
    await build({
      absWorkingDir: ROOT,
      entryPoints: [join(ROOT, "src/index.ts")],
      outfile: join(dir, "tracelet.mjs"),
      bundle: true,
      format: "esm",
      platform: "node",
      packages: "external",
      logLevel: "silent",
    });
    await writeFile(
      join(dir, "main.mjs"),
      `import { startExperiment } from "./tracelet.mjs";
try { await startExperiment({ logLevel: "silent", backends: ["sqlite"] }); console.log("started"); }
catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`,
    );
    const out = execFileSync(process.execPath, [join(dir, "main.mjs")], { cwd: dir, encoding: "utf8" });
    const result = JSON.parse(out.trim().split("\n").pop() as string);
    expect(result.code).toBe("TRACELET_ERR_DEPENDENCY_MISSING");
    expect(result.message).toContain('npm install better-sqlite3@"^12.0.0"');
  });
});
