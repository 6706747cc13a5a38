import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { listSegments } from "../../src/core/data/spool-files.js";
import { readMetrics } from "../../src/index.js";
import { readSegment } from "../helpers/read-segment.js";
import { tempDir } from "../helpers/temp-dir.js";

const fixtures = resolve(import.meta.dirname, "../fixtures/data-path");
const root = resolve(import.meta.dirname, "../..");

async function spoolPoints(runDir: string, backend: string): Promise<number[]> {
  const segments = listSegments(join(runDir, "spool", backend));
  const points = await Promise.all(segments.map(readSegment));
  return points.flat().map((p) => p.step);
}

describe("a process that ends without stop()", () => {
  it("SIGTERM during a tight logging loop: the jsonl file holds every step it reported, no gap", async () => {
    const cwd = await tempDir();
    const child = spawn(process.execPath, [join(fixtures, "sigterm-loop.mjs"), cwd], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let runDir = "";
    let reported = -1;
    const exited = new Promise<{ code: number | null; signal: string | null }>((r) =>
      child.on("exit", (code, signal) => r({ code, signal })),
    );
    await new Promise<void>((done) => {
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        runDir ||= /ready (.+)\n/.exec(out)?.[1] ?? "";
        for (const m of out.matchAll(/logged (\d+)\n/g)) reported = Math.max(reported, Number(m[1]));
        if (reported >= 200_000 && child.signalCode === null && !child.killed) {
          child.kill("SIGTERM");
          done();
        }
      });
    });
    const { signal } = await exited;
    for (const m of out.matchAll(/logged (\d+)\n/g)) reported = Math.max(reported, Number(m[1]));
    expect(signal).toBe("SIGTERM");
    const { points, skipped } = await readMetrics(runDir);
    expect(skipped).toBe(0);
    const steps = points.map((p) => p.step);
    expect(steps.length).toBeGreaterThan(reported);
    expect(steps.every((s, i) => s === i)).toBe(true);
    expect(JSON.parse(readFileSync(join(runDir, "run.json"), "utf8"))).toMatchObject({
      status: "interrupted",
      signal: "SIGTERM",
    });
  });

  it("process.exit() without stop(): the spool holds every point and `tracelet sync` delivers them", async () => {
    const cwd = await tempDir();
    const n = 10_000;
    const run = spawnSync(process.execPath, [join(fixtures, "exit-without-stop.mjs"), cwd, String(n)], {
      encoding: "utf8",
    });
    expect(run.status, run.stderr).toBe(0);
    const runDir = join(cwd, "tracelet-runs", "exit", "exit-run");
    expect((await readMetrics(runDir)).points).toHaveLength(0);
    expect(await spoolPoints(runDir, "jsonl")).toEqual(Array.from({ length: n }, (_, i) => i));

    const sync = spawnSync(process.execPath, [join(root, "dist/cli/main.js"), "sync", runDir], { encoding: "utf8" });
    expect(sync.status, sync.stderr).toBe(0);
    expect(sync.stdout).toContain(`${n} points`);
    const { points } = await readMetrics(runDir);
    expect(points.map((p) => p.step)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(points.slice(0, 2).map((p) => p.name)).toEqual(["b", "a"]);
    expect(readdirSync(join(runDir, "spool"))).toEqual([]);
  });

  it("process.exit() after part was delivered: file + spool hold every point once, sync completes it", async () => {
    const cwd = await tempDir();
    const n = 20_000;
    const run = spawnSync(process.execPath, [join(fixtures, "exit-without-stop.mjs"), cwd, String(n), "half"], {
      encoding: "utf8",
    });
    expect(run.status, run.stderr).toBe(0);
    const runDir = join(cwd, "tracelet-runs", "exit", "exit-run");
    const delivered = (await readMetrics(runDir)).points.map((p) => p.step);
    expect(delivered).toEqual(Array.from({ length: n / 2 }, (_, i) => i));
    expect([...delivered, ...(await spoolPoints(runDir, "jsonl"))]).toEqual(Array.from({ length: n }, (_, i) => i));
    const sync = spawnSync(process.execPath, [join(root, "dist/cli/main.js"), "sync", runDir], { encoding: "utf8" });
    expect(sync.status, sync.stderr).toBe(0);
    expect((await readMetrics(runDir)).points.map((p) => p.step)).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it("the script just ends (beforeExit): the run stops by itself and every point is in the file", async () => {
    const cwd = await tempDir();
    const run = spawnSync(process.execPath, [join(fixtures, "end-without-stop.mjs"), cwd], { encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    const runDir = join(cwd, "tracelet-runs", "end", "end-run");
    expect((await readMetrics(runDir)).points.map((p) => p.step)).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(JSON.parse(readFileSync(join(runDir, "run.json"), "utf8")).status).toBe("finished");
  });

  it("SIGINT stops the run like SIGTERM: contiguous steps, run interrupted, then the signal's effect", async () => {
    const cwd = await tempDir();
    const child = spawn(process.execPath, [join(fixtures, "sigterm-loop.mjs"), cwd], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const exited = new Promise<string | null>((r) => child.on("exit", (_code, signal) => r(signal)));
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (/logged \d{5,}\n/.test(out) && !child.killed) child.kill("SIGINT");
    });
    expect(await exited).toBe("SIGINT");
    const runDir = /ready (.+)\n/.exec(out)?.[1] ?? "";
    const reported = Math.max(...[...out.matchAll(/logged (\d+)\n/g)].map((m) => Number(m[1])));
    const steps = (await readMetrics(runDir)).points.map((p) => p.step);
    expect(steps.length).toBeGreaterThan(reported);
    expect(steps.every((s, i) => s === i)).toBe(true);
    expect(JSON.parse(readFileSync(join(runDir, "run.json"), "utf8"))).toMatchObject({
      status: "interrupted",
      signal: "SIGINT",
    });
  });
});
