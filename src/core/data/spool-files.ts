import { readdirSync } from "node:fs";
import { readFile, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { MetricRecord } from "../types.js";
import { decodeText } from "./record-codec.js";

const SEGMENT_NAME = /^\d{13}-\d{12}\.jsonl$/;

/**
 * A spool segment's file name: the writing process's session (its run's start, ms) and the
 * sequence number of the segment's first batch, both zero-padded, so that name order is logging
 * order, also across processes that resumed the same run id.
 *
 * @param session - ms since the epoch when the writing pipeline started
 * @param seq - the first batch's sequence number
 * @returns e.g. `1795323161351-000000000042.jsonl`
 */
export function segmentName(session: number, seq: number): string {
  return `${String(session).padStart(13, "0")}-${String(seq).padStart(12, "0")}.jsonl`;
}

/**
 * Reads a spool segment back. A torn last line (a crash mid-write) is skipped.
 *
 * @param path - the segment file
 * @returns its points in order
 */
export async function readSegment(path: string): Promise<MetricRecord[]> {
  return decodeText(await readFile(path, "utf8")).points;
}

/**
 * Deletes a delivered segment.
 *
 * @param path - the segment file
 */
export async function removeSegment(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}

/**
 * Lists the segment files of a spool directory in logging order.
 *
 * @param dir - `<run dir>/spool/<backend>`
 * @returns absolute paths, oldest first
 */
export function listSegments(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => SEGMENT_NAME.test(n))
    .sort()
    .map((n) => join(dir, n));
}
