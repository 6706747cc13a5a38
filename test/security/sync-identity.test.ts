import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readMetrics } from "../../src/index.js";
import { runCli } from "../helpers/cli.js";
import { spooledJsonlRun } from "../helpers/spooled-run.js";
import { tempDir } from "../helpers/temp-dir.js";

// Every file and directory under `dir`, relative to it.
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).sort();
}

describe("B4: tracelet sync and the run identity in a spool's backend.json", () => {
  it('refuses "runId": "../../../escaped" with TRACELET_ERR_SPOOL_INVALID and writes nothing outside the run', async () => {
    const root = await tempDir();
    const base = join(root, "a", "b", "runs");
    const run = await spooledJsonlRun(base);
    const meta = run.readMeta();
    run.writeMeta({ ...meta, run: { ...meta.run, runId: "../../../escaped" } });
    const before = tree(root);

    const out = runCli(["sync", run.runDir]);
    expect(out.status).toBe(1);
    expect(out.stderr).toContain("jsonl: TRACELET_ERR_SPOOL_INVALID");
    expect(out.stderr).toContain('"runId"');
    // On the old code: <root>/a/escaped/{metrics.jsonl,run.json,artifacts/} appeared.
    expect(existsSync(join(root, "a", "escaped"))).toBe(false);
    expect(tree(root)).toEqual(before);
  });

  it("refuses a role or project that is a path, and an identity that is not an object", async () => {
    const root = await tempDir();
    const run = await spooledJsonlRun(join(root, "runs"));
    const meta = run.readMeta();
    const forgeries = [
      { ...meta.run, role: "../../../x", workerCount: 2 },
      { ...meta.run, project: "../.." },
      { ...meta.run, workerId: -1 },
      { ...meta.run, tags: { a: 1 } },
      "r1",
    ];
    for (const forged of forgeries) {
      run.writeMeta({ ...meta, run: forged });
      const out = runCli(["sync", run.runDir]);
      expect(out.status, JSON.stringify(forged)).toBe(1);
      expect(out.stderr).toContain("TRACELET_ERR_SPOOL_INVALID");
    }
    expect(readdirSync(root)).toEqual(["runs"]);
  });

  it("never takes runDir from disk: a forged runDir still replays into the run directory being synced", async () => {
    const root = await tempDir();
    const run = await spooledJsonlRun(join(root, "runs"), 5);
    const meta = run.readMeta();
    const elsewhere = join(root, "elsewhere");
    run.writeMeta({ ...meta, config: {}, run: { ...meta.run, runDir: elsewhere } });

    const out = runCli(["sync", run.runDir]);
    expect(out.status, out.stderr).toBe(0);
    expect(existsSync(elsewhere)).toBe(false);
    const { points } = await readMetrics(run.runDir);
    expect(points.map((p) => p.step)).toEqual([0, 1, 2, 3, 4]);
  });
});
