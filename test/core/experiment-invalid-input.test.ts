import { describe, expect, it } from "vitest";
import { PluginManager, startExperiment } from "../../src/index.js";
import { MemoryBackend } from "../../src/testing/index.js";
import { tempDir } from "../helpers/temp-dir.js";

async function run(onInvalidMetric?: "throw" | "warn") {
  const cwd = await tempDir();
  const manager = new PluginManager({ cwd });
  manager.registerPlugin(MemoryBackend);
  return startExperiment({ cwd, manager, backends: ["memory"], logLevel: "silent", onInvalidMetric });
}

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

// Each case: what is passed, and the documented outcome (docs/configuration.md, "Metric input").
const ACCEPTED: Array<[string, string, number | bigint, number]> = [
  ["NaN is kept", "v", Number.NaN, Number.NaN],
  ["+Infinity is kept", "v", Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY],
  ["-Infinity is kept", "v", Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY],
  ["-0 is kept", "v", -0, -0],
  ["a bigint becomes the nearest number", "v", 2n ** 64n, 2 ** 64],
  ["a unicode name is fine", "损失/λ-🚀", 1, 1],
  ["a name of exactly 250 characters is fine", "n".repeat(250), 1, 1],
  ["slashes, dots, spaces are fine", "train/loss.avg 5", 1, 1],
];

const REFUSED: Array<[string, unknown, unknown, unknown?]> = [
  ["a numeric string value", "v", "0.5"],
  ["an object value", "v", { value: 1 }],
  ["null", "v", null],
  ["undefined", "v", undefined],
  ["a boolean", "v", true],
  ["an empty name", "", 1],
  ["a 10 KB name", "x".repeat(10_240), 1],
  ["a name with a newline", "a\nb", 1],
  ["a name with a NUL", "a\u0000b", 1],
  ["a non-string name", 42, 1],
  ["a fractional step", "v", 1, 1.5],
  ["a negative step", "v", 1, -1],
  ["a NaN step", "v", 1, Number.NaN],
];

describe("invalid metric input", () => {
  for (const [label, name, value, expected] of ACCEPTED) {
    it(`accepts: ${label}`, async () => {
      const exp = await run();
      exp.logMetric(name, value, 0);
      await exp.stop();
      expect(MemoryBackend.last!.points).toEqual([expect.objectContaining({ name, step: 0, value: expected })]);
    });
  }

  for (const [label, name, value, step] of REFUSED) {
    it(`throws TRACELET_ERR_INVALID_METRIC by default: ${label}`, async () => {
      const exp = await run();
      expect(code(() => exp.logMetric(name as string, value as number, step as number))).toBe(
        "TRACELET_ERR_INVALID_METRIC",
      );
      await exp.stop();
      expect(MemoryBackend.last!.points).toEqual([]);
    });
  }

  it("with onInvalidMetric: 'warn', drops each one, counts it and goes on", async () => {
    const exp = await run("warn");
    for (const [, name, value, step] of REFUSED) exp.logMetric(name as string, value as number, step as number);
    exp.logMetric("ok", 1, 0);
    expect(exp.status().invalidMetrics).toBe(REFUSED.length);
    await exp.stop();
    expect(MemoryBackend.last!.points.map((p) => p.name)).toEqual(["ok"]);
  });

  it("logMetrics checks every entry first: one bad entry logs none (throw mode)", async () => {
    const exp = await run();
    expect(code(() => exp.logMetrics({ a: 1, b: "x" as never, c: 3 }, 0))).toBe("TRACELET_ERR_INVALID_METRIC");
    expect(code(() => exp.logMetrics(null as never))).toBe("TRACELET_ERR_INVALID_METRIC");
    exp.logMetrics({ a: 1, c: 3 }, 4);
    await exp.stop();
    expect(MemoryBackend.last!.points.map((p) => `${p.name}@${p.step}`)).toEqual(["a@4", "c@4"]);
  });

  it("logMetrics in warn mode logs the valid entries and counts the bad ones", async () => {
    const exp = await run("warn");
    exp.logMetrics({ a: 1, "": 2, b: {} as never });
    expect(exp.status().invalidMetrics).toBe(2);
    await exp.stop();
    expect(MemoryBackend.last!.points.map((p) => p.name)).toEqual(["a"]);
  });

  it("refuses a bad explicit timestamp, also for a name already known (the fast path)", async () => {
    const exp = await run();
    expect(code(() => exp.logMetric("t", 1, 0, { timestamp: Number.NaN }))).toBe("TRACELET_ERR_INVALID_METRIC");
    exp.logMetric("t", 1, 0, { timestamp: 5 });
    for (const timestamp of [-1, 1.5, Number.NaN, 2 ** 53, "1" as never])
      expect(code(() => exp.logMetric("t", 1, 1, { timestamp }))).toBe("TRACELET_ERR_INVALID_METRIC");
    const before = Date.now();
    exp.logMetric("t", 2, 2, {});
    exp.logMetric("t", 3, 3, { timestamp: 0 });
    await exp.stop();
    const points = MemoryBackend.last!.points;
    expect(points.map((p) => p.step)).toEqual([0, 2, 3]);
    expect(points[0]?.timestamp).toBe(5);
    expect(points[1]?.timestamp).toBeGreaterThanOrEqual(before - 1);
    expect(points[2]?.timestamp).toBe(0);
  });
});
