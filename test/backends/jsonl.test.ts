import { appendFile, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { iterateMetrics } from "../../src/backends/jsonl/read-run.js";
import { readMetrics, startExperiment } from "../../src/index.js";
import { tempDir } from "../helpers/temp-dir.js";

describe("the jsonl backend", () => {
  it("appends one line per point, in order, across batches", async () => {
    const cwd = await tempDir();
    const exp = await startExperiment({ cwd, logLevel: "silent", batchSize: 7 });
    for (let i = 0; i < 100; i++) exp.logMetric(i % 2 ? "a" : "b", i, i);
    await exp.flush();
    const lines = (await readFile(join(exp.runDir, "metrics.jsonl"), "utf8")).split("\n");
    expect(lines).toHaveLength(101);
    expect(lines[100]).toBe("");
    expect(JSON.parse(lines[3])).toEqual({ name: "a", value: 3, step: 3, timestamp: expect.any(Number) });
    await exp.stop();
    expect(JSON.parse(await readFile(join(exp.runDir, "run.json"), "utf8")).status).toBe("finished");
  });

  it("skips a torn last line on read, and a later run on the same file does not glue onto it", async () => {
    const cwd = await tempDir();
    const a = await startExperiment({ cwd, logLevel: "silent", runId: "same" });
    a.logMetric("x", 1, 0);
    await a.stop();
    await appendFile(join(a.runDir, "metrics.jsonl"), '{"name":"x","value":2,"st');
    expect(await readMetrics(a.runDir)).toMatchObject({ skipped: 1, points: [{ step: 0 }] });
    const b = await startExperiment({ cwd, logLevel: "silent", runId: "same" });
    b.logMetric("x", 3, 2);
    await b.stop();
    const { points, skipped } = await readMetrics(b.runDir);
    expect(points.map((p) => p.step)).toEqual([0, 2]);
    expect(skipped).toBe(1);
  });

  it("streams a run back with iterateMetrics and refuses a missing run", async () => {
    const cwd = await tempDir();
    const exp = await startExperiment({ cwd, logLevel: "silent" });
    exp.logMetrics({ a: 1, b: 2 }, 0);
    await exp.stop();
    const names: string[] = [];
    for await (const p of iterateMetrics(exp.runDir)) names.push(p.name);
    expect(names).toEqual(["a", "b"]);
    await expect(readMetrics(join(cwd, "nope"))).rejects.toMatchObject({ code: "TRACELET_ERR_RUN_NOT_FOUND" });
  });

  it("reports its status: points written and directory", async () => {
    const cwd = await tempDir();
    const exp = await startExperiment({ cwd, logLevel: "silent" });
    exp.logMetric("a", 1);
    await exp.flush();
    const jsonl = exp.status().plugins.find((p) => p.name === "jsonl");
    expect(jsonl?.own).toMatchObject({ connected: true, points: 1, dir: exp.runDir });
    expect(jsonl?.stats.points).toBe(1);
    await exp.stop();
  });
});
