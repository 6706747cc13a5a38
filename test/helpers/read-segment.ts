import { readSegmentPoints } from "../../src/core/data/spool-files.js";
import type { MetricRecord } from "../../src/index.js";

/**
 * Reads a spool segment back as records, as a replay would deliver them (a torn tail skipped).
 *
 * @param path - the segment file
 * @returns its points in order
 */
export async function readSegment(path: string): Promise<MetricRecord[]> {
  const points = await readSegmentPoints(path);
  return points.slice(0, points.length);
}
