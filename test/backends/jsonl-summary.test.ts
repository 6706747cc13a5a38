import { readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { INDEX_BLOCK, INDEX_FIELDS, IndexField, readSummary } from "../../src/backends/jsonl/run-summary.js";
import { startExperiment } from "../../src/index.js";
import { tempDir } from "../helpers/temp-dir.js";

describe("the jsonl backend's run summary and metric index", () => {
  it("keeps count/last/min/max per metric, status, pid and heartbeat beside metrics.jsonl", async () => {
    const cwd = await tempDir();
    const exp = await startExperiment({ cwd, logLevel: "silent", batchSize: 100 });
    for (let i = 0; i < 1000; i++) exp.logMetrics({ loss: 1 / (i + 1), acc: i === 500 ? Number.NaN : i }, i);
    await exp.flush();
    const live = readSummary(join(exp.runDir, "summary.json"));
    expect(live).toMatchObject({ status: "running", pid: process.pid, runId: basename(exp.runDir) });
    expect(live?.metrics.loss).toMatchObject({ count: 1000, last: 1 / 1000, min: 1 / 1000, max: 1, lastStep: 999 });
    expect(Date.now() - Date.parse(live?.heartbeatAt ?? "")).toBeLessThan(60_000);
    await exp.stop();
    const done = readSummary(join(exp.runDir, "summary.json"));
    expect(done).toMatchObject({ status: "finished", endedAt: expect.any(String) });
    expect(done?.metrics.acc).toMatchObject({ count: 1000, last: 999, min: 0, max: 999 });
    expect(done?.metricsBytes).toBe((await readFile(join(exp.runDir, "metrics.jsonl"))).length);
  });

  it("indexes blocks of points per metric whose byte ranges hold exactly those points", async () => {
    const cwd = await tempDir();
    const exp = await startExperiment({ cwd, logLevel: "silent", batchSize: 333 });
    const n = INDEX_BLOCK * 3 + 17;
    for (let i = 0; i < n; i++) {
      exp.logMetric("a", Math.sin(i), i);
      if (i % 3 === 0) exp.logMetric("b", i === 300 ? 1e9 : i, i);
    }
    await exp.stop();
    const summary = readSummary(join(exp.runDir, "summary.json"));
    const index = new Float64Array((await readFile(join(exp.runDir, "metrics.idx"))).buffer.slice(0));
    const text = await readFile(join(exp.runDir, "metrics.jsonl"));
    expect(index.length).toBe(((summary?.indexBytes ?? 0) / 8) | 0);
    const seen: Record<number, number[]> = {};
    for (let r = 0; r < index.length; r += INDEX_FIELDS) {
      const rec = index.subarray(r, r + INDEX_FIELDS);
      const lines = text
        .subarray(rec[IndexField.byteStart], rec[IndexField.byteEnd])
        .toString("utf8")
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l));
      const name = rec[IndexField.metric] === summary?.metrics.a.id ? "a" : "b";
      const mine = lines
        .filter((l) => l.name === name)
        .slice(rec[IndexField.skip], rec[IndexField.skip] + rec[IndexField.count]);
      expect(mine).toHaveLength(rec[IndexField.count]);
      expect(mine[0].step).toBe(rec[IndexField.firstStep]);
      expect(mine.at(-1).step).toBe(rec[IndexField.lastStep]);
      expect(Math.max(...mine.map((l) => l.value))).toBe(rec[IndexField.maxValue]);
      expect(Math.min(...mine.map((l) => l.value))).toBe(rec[IndexField.minValue]);
      seen[rec[IndexField.metric]] = [...(seen[rec[IndexField.metric]] ?? []), ...mine.map((l) => l.step)];
    }
    // Every point is in exactly one block, in order: the partial blocks were sealed at stop.
    expect(seen[summary?.metrics.a.id ?? -1]).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(seen[summary?.metrics.b.id ?? -1]).toHaveLength(Math.ceil(n / 3));
  });

  it("keeps every sealed block when more blocks seal between two summary writes than it holds in memory", async () => {
    const cwd = await tempDir();
    const exp = await startExperiment({ cwd, logLevel: "silent" });
    const names = 700;
    const steps = INDEX_BLOCK * 2;
    for (let step = 0; step < steps; step++) {
      const row: Record<string, number> = {};
      for (let k = 0; k < names; k++) row[`m${k}`] = step * names + k;
      exp.logMetrics(row, step);
    }
    await exp.stop();
    const summary = readSummary(join(exp.runDir, "summary.json"));
    const index = new Float64Array((await readFile(join(exp.runDir, "metrics.idx"))).buffer.slice(0));
    expect(summary?.indexBytes).toBe(index.length * 8);
    expect(index.length / INDEX_FIELDS).toBe(names * 2);
    const blocks = new Map<number, number[]>();
    for (let r = 0; r < index.length; r += INDEX_FIELDS) {
      const id = index[r + IndexField.metric] as number;
      expect(index[r + IndexField.count]).toBe(INDEX_BLOCK);
      blocks.set(id, [...(blocks.get(id) ?? []), index[r + IndexField.firstStep] as number]);
    }
    for (let k = 0; k < names; k++) expect(blocks.get(summary?.metrics[`m${k}`]?.id ?? -1)).toEqual([0, INDEX_BLOCK]);
  });
});
