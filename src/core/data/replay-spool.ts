import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { BackendInstance } from "../plugin-api.js";
import { deliverBatch } from "./deliver-batch.js";
import type { SpoolMeta } from "./spool.js";
import { listSegments, readSegment, removeSegment } from "./spool-files.js";

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
 * Delivers a spool to a started backend, segment by segment in order, in batches; each
 * segment is deleted once the backend has taken it and flushed. The directory is removed when
 * it is empty. A failure stops the replay; what was not delivered stays on disk.
 *
 * @param spool - the spool
 * @param backend - a started backend instance
 * @param batchSize - points per `logMetrics` call (default 4096)
 * @returns points and segments delivered
 */
export async function replaySpool(
  spool: FoundSpool,
  backend: BackendInstance,
  batchSize = 4096,
): Promise<{ points: number; segments: number }> {
  let points = 0;
  let segments = 0;
  for (const path of spool.segments) {
    const records = await readSegment(path);
    for (let i = 0; i < records.length; i += batchSize) {
      const batch = records.slice(i, i + batchSize);
      await deliverBatch(backend, batch);
    }
    await backend.flush?.();
    await removeSegment(path);
    points += records.length;
    segments++;
  }
  if (listSegments(spool.dir).length === 0) rmSync(spool.dir, { recursive: true, force: true });
  return { points, segments };
}
