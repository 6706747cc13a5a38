import { createReadStream, existsSync, readdirSync } from "node:fs";
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

// Each process of a multi-process run writes its own metrics.<role>-<worker>.jsonl (writerFiles
// in run-summary.ts); metrics.jsonl sorts first, so a one-process run reads as before.
const METRICS_FILE = /^metrics(\.[A-Za-z0-9_-]+)?\.jsonl$/;

function metricsFiles(runDir: string): string[] {
  try {
    return readdirSync(runDir)
      .filter((n) => METRICS_FILE.test(n))
      .sort();
  } catch {
    return [];
  }
}

async function* fileRecords(
  path: string,
  onSkip: ((lineNumber: number, file: string) => void) | undefined,
  file: string,
): AsyncGenerator<MetricRecord> {
  const stream = createReadStream(path, { encoding: "utf8" });
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
    else onSkip?.(n, file);
  }
}

/**
 * Streams the points of a run: its `metrics.jsonl` in file order or, for a run written by
 * several processes, every `metrics.<role>-<worker>.jsonl` merged by timestamp (each file's own
 * order kept on ties). A torn last line, or any other line that is not a whole metric, is
 * skipped. No file is ever read whole into memory.
 *
 * @param runDir - the run directory
 * @param onSkip - called for each skipped line with its 1-based line number and file name
 * @returns an async iterator of points (empty when the run has no metrics yet)
 * @throws TraceletError `TRACELET_ERR_RUN_NOT_FOUND` when `runDir` is not a run directory
 * @example
 * ```ts
 * for await (const p of iterateMetrics(runDir)) steps.push(p.step);
 * ```
 */
export async function* iterateMetrics(
  runDir: string,
  onSkip?: (lineNumber: number, file: string) => void,
): AsyncGenerator<MetricRecord> {
  const files = metricsFiles(runDir);
  if (files.length === 0) checkRunDir(runDir);
  if (files.length <= 1) {
    for (const f of files) yield* fileRecords(join(runDir, f), onSkip, f);
    return;
  }
  const heads: { it: AsyncGenerator<MetricRecord>; point: MetricRecord }[] = [];
  for (const f of files) {
    const it = fileRecords(join(runDir, f), onSkip, f);
    const first = await it.next();
    if (!first.done) heads.push({ it, point: first.value });
  }
  // A handful of writers: a linear scan for the earliest head beats a heap here.
  while (heads.length > 0) {
    let at = 0;
    for (let i = 1; i < heads.length; i++) if (heads[i].point.timestamp < heads[at].point.timestamp) at = i;
    const head = heads[at];
    yield head.point;
    const next = await head.it.next();
    if (next.done) heads.splice(at, 1);
    else head.point = next.value;
  }
}

/**
 * Reads every point of a run (see {@link iterateMetrics} for the order), skipping a torn last
 * line and any line that is not a metric.
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
