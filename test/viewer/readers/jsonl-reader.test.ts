import { rename, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startExperiment } from "../../../src/index.js";
import { JsonlReader } from "../../../src/viewer/readers/jsonl-reader.js";
import { tempDir } from "../../helpers/temp-dir.js";

describe("the jsonl reader's series", () => {
  it("downsamples from the metric index: real points only, at most 2 per bucket, spikes, first and last kept", async () => {
    const cwd = await tempDir();
    const exp = await startExperiment({ cwd, project: "p", logLevel: "silent" });
    const n = 50_000;
    const value = (i: number) => Math.sin(i / 50) + (i === 31_337 ? 9 : 0) - (i === 777 ? 7 : 0);
    for (let i = 0; i < n; i++) exp.logMetrics({ loss: value(i), other: i }, i);
    await exp.stop();
    const reader = new JsonlReader(`${cwd}/tracelet-runs`);
    const run = await reader.getRun(exp.id);
    for (const width of [50, 300]) {
      const [s] = await reader.readSeries(run, "loss", { width });
      expect(s).toMatchObject({ worker: "main", total: n, full: false });
      expect(s.step.length).toBeLessThanOrEqual(2 * width + 2);
      expect(s.step.length).toBeGreaterThan(width);
      expect(s.step[0]).toBe(0);
      expect(s.step.at(-1)).toBe(n - 1);
      expect(s.step).toEqual([...s.step].sort((a, b) => a - b));
      expect(new Set(s.step).size).toBe(s.step.length);
      s.step.forEach((step, k) => {
        expect(s.value[k]).toBe(value(step));
      });
      expect(s.value).toContain(value(31_337));
      expect(s.value).toContain(value(777));
    }
    // A range inside the series: only its points, and whole when they are few.
    const [mid] = await reader.readSeries(run, "loss", { from: 10_000, to: 30_000, width: 100 });
    expect(mid.total).toBe(20_001);
    expect(Math.min(...mid.step)).toBe(10_000);
    expect(Math.max(...mid.step)).toBe(30_000);
    const [zoom] = await reader.readSeries(run, "loss", { from: 5000, to: 5100, width: 100 });
    expect(zoom).toMatchObject({ total: 101, full: true });
    expect(zoom.step).toEqual(Array.from({ length: 101 }, (_, i) => 5000 + i));
  });

  it("a listing repeated after a run directory changed shows the change (its files are replaced by renames)", async () => {
    const cwd = await tempDir();
    const exp = await startExperiment({ cwd, project: "p", logLevel: "silent" });
    await exp.logParams({ lr: 1 });
    await exp.stop();
    const reader = new JsonlReader(join(cwd, "tracelet-runs"));
    // Changed long ago: the listing's copy is trusted while the directory stays as it is.
    const old = new Date(Date.now() - 60_000);
    await utimes(exp.runDir, old, old);
    expect((await reader.listRuns())[0].params).toEqual({ lr: 1 });
    await writeFile(join(exp.runDir, "params.json.tmp"), '{"lr":2}');
    await rename(join(exp.runDir, "params.json.tmp"), join(exp.runDir, "params.json"));
    expect((await reader.listRuns())[0].params).toEqual({ lr: 2 });
  });
});
