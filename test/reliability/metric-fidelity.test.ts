import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readMetrics, startExperiment } from "../../src/index.js";
import { tempDir } from "../helpers/temp-dir.js";

function codeOf(fn: () => void): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

async function run() {
  const cwd = await tempDir();
  return startExperiment({ cwd, backends: ["jsonl"], logLevel: "silent" });
}

describe("B14: what the stored format can hold", () => {
  it("keeps -0 (as the docs say): metrics.jsonl writes -0 and reads it back as -0", async () => {
    const exp = await run();
    exp.logMetric("z", -0, 0);
    exp.logMetric("z", 0, 1);
    await exp.stop();
    expect(readFileSync(join(exp.runDir, "metrics.jsonl"), "utf8")).toContain('"value":-0,"step":0');
    const { points } = await readMetrics(exp.runDir);
    expect(Object.is(points[0]?.value, -0)).toBe(true);
    expect(Object.is(points[1]?.value, 0)).toBe(true);
  });

  it("refuses an automatic step past 2^53 - 1 instead of repeating 2^53", async () => {
    const exp = await run();
    exp.logMetric("s", 1, Number.MAX_SAFE_INTEGER);
    expect(codeOf(() => exp.logMetric("s", 2))).toBe("TRACELET_ERR_INVALID_METRIC");
    expect(codeOf(() => exp.logMetrics({ s: 3 }))).toBe("TRACELET_ERR_INVALID_METRIC");
    exp.logMetric("s", 4, 7); // an explicit step still works, and restarts the counter
    exp.logMetric("s", 5);
    await exp.stop();
    const { points } = await readMetrics(exp.runDir);
    expect(points.map((p) => p.step)).toEqual([Number.MAX_SAFE_INTEGER, 7, 8]);
  });

  it("refuses timestamps that are not whole, non-negative ms (1.5, -1), keeps 0 and integers", async () => {
    const exp = await run();
    for (const timestamp of [1.5, -1, Number.MAX_SAFE_INTEGER + 2]) {
      expect(
        codeOf(() => exp.logMetric("t", 1, 0, { timestamp })),
        String(timestamp),
      ).toBe("TRACELET_ERR_INVALID_METRIC");
    }
    exp.logMetric("t", 1, 0, { timestamp: 0 });
    exp.logMetric("t", 1, 1, { timestamp: 1_795_323_161_351 });
    await exp.stop();
    const { points } = await readMetrics(exp.runDir);
    expect(points.map((p) => p.timestamp)).toEqual([0, 1_795_323_161_351]);
  });
});
