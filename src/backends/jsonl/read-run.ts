import { createReadStream, existsSync } from "node:fs";
import { join } from "node:path";
import { decodeLine } from "../../core/data/record-codec.js";
import { TraceletError } from "../../core/errors.js";
import type { MetricRecord } from "../../core/types.js";

/** What {@link readMetrics} found. */
export interface ReadMetricsResult {
  /** The points, in file order. */
  points: MetricRecord[];
  /** Lines skipped because they were torn (a crash mid-write) or not a metric. */
  skipped: number;
}

// A run directory holds run.json (written at start) or metrics.jsonl.
function checkRunDir(runDir: string): void {
  if (existsSync(join(runDir, "run.json")) || existsSync(join(runDir, "metrics.jsonl"))) return;
  throw new TraceletError(
    "TRACELET_ERR_RUN_NOT_FOUND",
    `${runDir} is not a run directory: it has neither run.json nor metrics.jsonl.`,
    { details: { runDir } },
  );
}

/**
 * Streams the points of a run's `metrics.jsonl`, in file order, skipping a torn last line
 * (and any other line that is not a whole metric). The file is never read whole into memory.
 *
 * @param runDir - the run directory
 * @param onSkip - called for each skipped line with its 1-based line number
 * @returns an async iterator of points (empty when the run has no metrics yet)
 * @throws TraceletError `TRACELET_ERR_RUN_NOT_FOUND` when `runDir` is not a run directory
 * @example
 * ```ts
 * for await (const p of iterateMetrics(runDir)) steps.push(p.step);
 * ```
 */
export async function* iterateMetrics(
  runDir: string,
  onSkip?: (lineNumber: number) => void,
): AsyncGenerator<MetricRecord> {
  checkRunDir(runDir);
  const stream = createReadStream(join(runDir, "metrics.jsonl"), { encoding: "utf8" });
  const opened = await new Promise<boolean>((resolve) => {
    stream.once("open", () => resolve(true));
    stream.once("error", () => resolve(false));
  });
  if (!opened) return;
  // Loaded here, not at the top: importing Tracelet to log a run should not load readline.
  const { createInterface } = await import("node:readline");
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line === "") continue;
    const point = decodeLine(line);
    if (point) yield point;
    else onSkip?.(n);
  }
}

/**
 * Reads a run's `metrics.jsonl`, skipping a torn last line and any line that is not a metric.
 *
 * @param runDir - the run directory
 * @returns points and the count of skipped lines
 * @throws TraceletError `TRACELET_ERR_RUN_NOT_FOUND` when `runDir` is not a run directory
 *   (neither `run.json` nor `metrics.jsonl` in it): a wrong path is an error, not an empty run
 */
export async function readMetrics(runDir: string): Promise<ReadMetricsResult> {
  const points: MetricRecord[] = [];
  let skipped = 0;
  for await (const p of iterateMetrics(runDir, () => skipped++)) points.push(p);
  return { points, skipped };
}
