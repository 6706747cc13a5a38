import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startExperiment } from "../../src/index.js";

/** A run whose jsonl backend could not start, so its points wait in `spool/jsonl/`. */
export interface SpooledRun {
  /** The run directory. */
  runDir: string;
  /** Path of the spool's `backend.json`. */
  metaPath: string;
  /** Reads `backend.json`. */
  readMeta(): { plugin: string; config: Record<string, unknown>; run: Record<string, unknown> };
  /** Writes `backend.json` (a forged one, say). */
  writeMeta(meta: unknown): void;
}

/**
 * Starts a run whose jsonl backend fails to start (its metrics.jsonl is a directory), logs
 * `points` points (they are spooled), stops it, then makes the backend able to start again, so
 * that `tracelet sync` has a real spool to replay, in whatever format the engine writes.
 *
 * @param base - the runs directory (also the jsonl backend's `dir`)
 * @param points - how many points to log
 */
export async function spooledJsonlRun(base: string, points = 5): Promise<SpooledRun> {
  const runDir = join(base, "p", "r1");
  mkdirSync(join(runDir, "metrics.jsonl"), { recursive: true });
  const exp = await startExperiment({
    cwd: base,
    dir: base,
    project: "p",
    runId: "r1",
    backends: ["jsonl"],
    plugins: { jsonl: { dir: base } },
    logLevel: "silent",
  });
  for (let i = 0; i < points; i++) exp.logMetric("m", i, i);
  await exp.stop();
  rmdirSync(join(runDir, "metrics.jsonl"));
  const metaPath = join(runDir, "spool", "jsonl", "backend.json");
  return {
    runDir,
    metaPath,
    readMeta: () => JSON.parse(readFileSync(metaPath, "utf8")),
    writeMeta: (meta) => writeFileSync(metaPath, JSON.stringify(meta)),
  };
}
