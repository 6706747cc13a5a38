import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { MetricRecord } from "../../core/types.js";
import { decodeValue, type MetricLine } from "./encode.js";

/** What {@link readMetrics} found. */
export interface ReadMetricsResult {
  /** The points, in file order. */
  points: MetricRecord[];
  /** Lines skipped because they were torn (a crash mid-write) or not JSON. */
  skipped: number;
}

/**
 * Reads a run's `metrics.jsonl`, skipping a torn last line and any line that is not a metric.
 *
 * @param runDir - the run directory
 * @returns points and the count of skipped lines
 */
export async function readMetrics(runDir: string): Promise<ReadMetricsResult> {
  const text = await readFile(join(runDir, "metrics.jsonl"), "utf8").catch(() => "");
  const points: MetricRecord[] = [];
  let skipped = 0;
  for (const line of text.split("\n")) {
    if (line === "") continue;
    try {
      const m = JSON.parse(line) as MetricLine;
      points.push({ name: m.name, value: decodeValue(m.value), step: m.step, timestamp: m.timestamp });
    } catch {
      skipped++;
    }
  }
  return { points, skipped };
}
