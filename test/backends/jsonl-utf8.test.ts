import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { INDEX_FIELDS, IndexField, readSummary } from "../../src/backends/jsonl/run-summary.js";
import { startExperiment } from "../../src/index.js";
import { tempDir } from "../helpers/temp-dir.js";

describe("the jsonl backend with metric names outside ASCII", () => {
  it("counts bytes, not characters: summary and index byte ranges match the file", async () => {
    const cwd = await tempDir();
    const exp = await startExperiment({ cwd, logLevel: "silent", batchSize: 250 });
    const names = ["损失", "🚀/rate", "plain"];
    const n = 3000;
    for (let i = 0; i < n; i++) exp.logMetric(names[i % 3] as string, i, i);
    await exp.stop();
    const text = await readFile(join(exp.runDir, "metrics.jsonl"));
    const summary = readSummary(join(exp.runDir, "summary.json"));
    expect(summary?.metricsBytes).toBe(text.length);
    const index = new Float64Array((await readFile(join(exp.runDir, "metrics.idx"))).buffer.slice(0));
    const byId = new Map(Object.entries(summary?.metrics ?? {}).map(([name, m]) => [m.id, name]));
    let indexed = 0;
    for (let r = 0; r < index.length; r += INDEX_FIELDS) {
      const rec = index.subarray(r, r + INDEX_FIELDS);
      const name = byId.get(rec[IndexField.metric] as number);
      const lines = text
        .subarray(rec[IndexField.byteStart], rec[IndexField.byteEnd])
        .toString("utf8")
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l))
        .filter((l) => l.name === name)
        .slice(rec[IndexField.skip], rec[IndexField.skip] + rec[IndexField.count]);
      // A range cut at a wrong byte would start or end inside a line: JSON.parse would throw.
      expect(lines).toHaveLength(rec[IndexField.count]);
      expect(lines[0].step).toBe(rec[IndexField.firstStep]);
      expect(lines.at(-1).step).toBe(rec[IndexField.lastStep]);
      indexed += lines.length;
    }
    expect(indexed).toBe(n);
  });
});
