import { execFileSync } from "node:child_process";
import { closeSync, ftruncateSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { JsonlBackend } from "../../src/backends/jsonl/jsonl-backend.js";
import { isTraceletError, type MetricRecord, readMetrics, startExperiment } from "../../src/index.js";
import { runCli } from "../helpers/cli.js";
import { pluginContext } from "../helpers/plugin-context.js";
import { tempDir } from "../helpers/temp-dir.js";

// A real 1 MiB tmpfs (the tests run as root, as in CI), unmounted whatever happens.
async function withSmallDisk(fn: (mnt: string) => Promise<void>): Promise<void> {
  const mnt = await tempDir("tracelet-full-");
  execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt]);
  try {
    await fn(mnt);
  } finally {
    execFileSync("umount", ["-l", mnt]);
  }
}

// Fills the disk with one file, then frees a page and a bit: the next big write is taken in
// part and refused for the rest (a torn write), as on a disk that filled up mid-batch.
function fill(mnt: string): string {
  const path = join(mnt, "filler");
  const fd = openSync(path, "w");
  const chunk = Buffer.alloc(4096, 0x61);
  let size = 0;
  try {
    for (;;) size += writeSync(fd, chunk);
  } catch (error) {
    expect((error as NodeJS.ErrnoException).code).toBe("ENOSPC");
  }
  ftruncateSync(fd, Math.max(0, size - 4096 - 100));
  closeSync(fd);
  return path;
}

function points(from: number, count: number): MetricRecord[] {
  return Array.from({ length: count }, (_, i) => ({ name: "loss", value: from + i, step: from + i, timestamp: 1 }));
}

function logLines(): { lines: Array<Record<string, unknown>>; logger: pino.Logger } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split("\n")) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: pino({ level: "info" }, sink) };
}

// Every line of the file is one whole metric: nothing torn, nothing glued to the next batch.
function expectWholeLines(file: string): number[] {
  const text = readFileSync(file, "utf8");
  expect(text.endsWith("\n")).toBe(true);
  return text
    .slice(0, -1)
    .split("\n")
    .map((line) => {
      const p = JSON.parse(line) as MetricRecord;
      expect(Object.keys(p)).toEqual(["name", "value", "step", "timestamp"]);
      return p.step;
    });
}

describe("B2: the jsonl backend on a full disk (a real 1 MiB tmpfs)", () => {
  it("a refused write throws TRACELET_ERR_WRITE_FAILED, cuts the torn tail off, logs one line; the same batch retried later lands once", async () => {
    await withSmallDisk(async (mnt) => {
      const { lines, logger } = logLines();
      const backend = new JsonlBackend();
      const runDir = join(mnt, "p", "r1");
      await backend.initialize({}, pluginContext(runDir, { logger }));
      backend.start();
      const file = join(runDir, "metrics.jsonl");
      backend.logMetrics(points(0, 100));
      const before = statSync(file).size;

      const filler = fill(mnt);
      const big = points(100, 4000); // ~220 KB: more than is free
      for (let attempt = 0; attempt < 3; attempt++) {
        let thrown: unknown;
        try {
          backend.logMetrics(big);
        } catch (error) {
          thrown = error;
        }
        expect(isTraceletError(thrown) && thrown.code).toBe("TRACELET_ERR_WRITE_FAILED");
        expect((thrown as Error).message).toContain("ENOSPC");
        // On the old code the part the disk took stayed in the file, torn.
        expect(statSync(file).size).toBe(before);
      }
      expect(lines.filter((l) => l.level === 40)).toHaveLength(1);
      expect(JSON.stringify(lines)).not.toContain("stack");

      unlinkSync(filler);
      backend.logMetrics(big);
      backend.logMetrics(points(4100, 10));
      await backend.stop();
      expect(expectWholeLines(file)).toEqual(Array.from({ length: 4110 }, (_, i) => i));
      const read = await readMetrics(runDir);
      expect(read.skipped).toBe(0);
      expect(lines.filter((l) => l.level === 40)).toHaveLength(1);
      expect(lines.filter((l) => l.msg === "metrics.jsonl is writable again")).toHaveLength(1);
    });
  });

  it("a run whose disk fills up and frees again: after sync, metrics.jsonl holds every point once, no torn or glued line", async () => {
    await withSmallDisk(async (mnt) => {
      const { lines, logger } = logLines();
      const exp = await startExperiment({
        cwd: mnt,
        dir: mnt,
        project: "p",
        runId: "r1",
        backends: ["jsonl"],
        logger,
        retry: { initialDelayMs: 5, maxDelayMs: 20 },
      });
      for (let i = 0; i < 100; i++) exp.logMetric("loss", i, i);
      await exp.flush();
      const filler = fill(mnt);
      for (let i = 100; i < 4100; i++) exp.logMetric("loss", i, i);
      await new Promise((r) => setTimeout(r, 300));
      unlinkSync(filler);
      for (let i = 4100; i < 4110; i++) exp.logMetric("loss", i, i);
      await exp.stop();
      // What the run could not store (the engine may have spooled it) is recovered by sync.
      const sync = runCli(["sync", exp.runDir]);
      expect(sync.status, sync.stderr).toBe(0);
      // Every line whole, every point once and in order: no torn line glued to the next batch.
      expect(expectWholeLines(join(exp.runDir, "metrics.jsonl"))).toEqual(Array.from({ length: 4110 }, (_, i) => i));
      expect((await readMetrics(exp.runDir)).skipped).toBe(0);
      // The backend's own account of the outage is one line.
      expect(lines.filter((l) => String(l.msg).endsWith("refused a write; retrying"))).toHaveLength(1);
    });
  });
});
