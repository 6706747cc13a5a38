import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readMetrics } from "../../src/index.js";
import { tempDir } from "../helpers/temp-dir.js";

function line(name: string, value: number, step: number, timestamp: number): string {
  return `${JSON.stringify({ name, value, step, timestamp })}\n`;
}

describe("reading a run written by several processes", () => {
  it("merges every worker's metrics file by timestamp and counts torn lines in each", async () => {
    const runDir = join(await tempDir(), "p", "r");
    mkdirSync(runDir, { recursive: true });
    writeFileSync(join(runDir, "run.json"), "{}");
    writeFileSync(join(runDir, "metrics.train-0.jsonl"), line("a", 1, 0, 10) + line("a", 2, 1, 30) + '{"torn');
    writeFileSync(join(runDir, "metrics.train-1.jsonl"), line("b", 1, 0, 20) + line("b", 2, 1, 40));
    writeFileSync(join(runDir, "metrics.idx"), "not a metrics file");
    const { points, skipped } = await readMetrics(runDir);
    expect(points.map((p) => `${p.name}${p.step}@${p.timestamp}`)).toEqual(["a0@10", "b0@20", "a1@30", "b1@40"]);
    expect(skipped).toBe(1);
  });
});
