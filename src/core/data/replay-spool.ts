import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { BackendInstance } from "../plugin-api.js";
import { deliverBatch, wantsColumns } from "./deliver-batch.js";
import type { SpoolMeta } from "./spool.js";
import { listSegments, readCursor, readSegmentPoints, removeSegment, writeCursor } from "./spool-files.js";

/** One backend's spool found in a run directory. */
export interface FoundSpool {
  /** The spool directory. */
  dir: string;
  /** What `backend.json` says (undefined when it is missing or unreadable). */
  meta: SpoolMeta | undefined;
  /** Segment files, oldest first. */
  segments: string[];
}

/**
 * Finds the spools of a run: `<run dir>/spool/<backend>/`.
 *
 * @param runDir - the run directory
 * @returns one entry per backend directory that holds segments
 */
export function findSpools(runDir: string): FoundSpool[] {
  const root = join(runDir, "spool");
  let names: string[];
  try {
    names = readdirSync(root).sort();
  } catch {
    return [];
  }
  const found: FoundSpool[] = [];
  for (const name of names) {
    const dir = join(root, name);
    const segments = listSegments(dir);
    if (segments.length === 0) continue;
    let meta: SpoolMeta | undefined;
    try {
      meta = JSON.parse(readFileSync(join(dir, "backend.json"), "utf8")) as SpoolMeta;
    } catch {
      meta = undefined;
    }
    found.push({ dir, meta, segments });
  }
  return found;
}

/**
 * Delivers a spool to a started backend, segment by segment in order, in batches, from where
 * the last replay stopped: each segment's durable cursor (`<segment>.cursor`) says how many of
 * its points were already delivered, and it is moved on (one write in place) after each batch the
 * backend took and flushed, so a replay killed at any moment resumes right after the last batch
 * acknowledged, never sending one twice nor skipping one. A segment is deleted once it was all
 * delivered; the directory is removed when it is empty. A failure stops the replay; what was not
 * delivered stays on disk.
 *
 * @param spool - the spool
 * @param backend - a started backend instance
 * @param batchSize - points per `logMetricColumns` or `logMetrics` call (default 4096)
 * @returns points and segments delivered
 */
export async function replaySpool(
  spool: FoundSpool,
  backend: BackendInstance,
  batchSize = 4096,
): Promise<{ points: number; segments: number }> {
  let points = 0;
  let segments = 0;
  // Columns (read straight from the segment's) for a backend that takes them, else records.
  const columns = wantsColumns(backend);
  for (const path of spool.segments) {
    const stored = await readSegmentPoints(path);
    for (let i = readCursor(path); i < stored.length; ) {
      const batch = columns ? stored.columns(i, i + batchSize) : stored.slice(i, i + batchSize);
      await deliverBatch(backend, batch);
      await backend.flush?.();
      i += batch.length;
      points += batch.length;
      // Also after the last batch: a process killed before the segment is deleted must not send
      // that batch again.
      writeCursor(path, i);
    }
    await removeSegment(path);
    segments++;
  }
  if (listSegments(spool.dir).length === 0) rmSync(spool.dir, { recursive: true, force: true });
  return { points, segments };
}

/**
 * Counts the points a spool still holds for delivery: each segment's points past its cursor,
 * exactly what {@link replaySpool} would send.
 *
 * @param spool - the spool
 * @returns the count
 */
export async function pendingPoints(spool: FoundSpool): Promise<number> {
  let n = 0;
  for (const path of spool.segments) n += Math.max(0, (await readSegmentPoints(path)).length - readCursor(path));
  return n;
}
