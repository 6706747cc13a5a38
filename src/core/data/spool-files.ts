import { closeSync, constants, openSync, readdirSync, readFileSync, writeSync } from "node:fs";
import { readFile, unlink } from "node:fs/promises";
import { join } from "node:path";
import { columnsOf } from "./metric-columns.js";
import { decodeText } from "./record-codec.js";
import { decodeSegmentLazily, type SegmentPoints, segmentPointsOf } from "./spool-codec.js";

// `.tls`: binary segments; `.jsonl`: the JSON Lines segments of Tracelet before 1.1, still replayed.
// Wider than any count of points a segment can hold, so each write covers the one before.
const CURSOR_WIDTH = 16;

const SEGMENT_NAME = /^\d{13}-\d{12}\.(tls|jsonl)$/;

/**
 * A spool segment's file name: the writing process's session (its run's start, ms) and the
 * sequence number of the segment's first batch, both zero-padded, so that name order is logging
 * order, also across processes that resumed the same run id.
 *
 * @param session - ms since the epoch when the writing pipeline started
 * @param seq - the first batch's sequence number
 * @returns e.g. `1795323161351-000000000042.tls`
 */
export function segmentName(session: number, seq: number): string {
  return `${String(session).padStart(13, "0")}-${String(seq).padStart(12, "0")}.tls`;
}

/**
 * Reads a spool segment back for delivery in slices: the points stay in their columns until
 * sliced (into records or into columns). A torn last block (a crash mid-write) is skipped.
 *
 * @param path - the segment file
 * @returns its points in order
 */
export async function readSegmentPoints(path: string): Promise<SegmentPoints> {
  if (path.endsWith(".jsonl")) return segmentPointsOf(columnsOf(decodeText(await readFile(path, "utf8")).points));
  return decodeSegmentLazily(await readFile(path)).points;
}

/**
 * Deletes a delivered segment.
 *
 * @param path - the segment file
 */
export async function removeSegment(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
  await unlink(`${path}.cursor`).catch(() => undefined);
}

/**
 * Writes a segment's cursor file in place: one write of a fixed-width number at offset 0, never
 * truncating, so a process killed at any moment leaves the old cursor or the new one, never a
 * torn or empty one (a write that small reaches the page cache whole). It is written after every
 * delivered batch, hence no temporary file and rename (they cost a millisecond each, more than
 * the batch). Not fsynced: a killed process's writes survive in the page cache (only a power loss
 * could lose the last cursor, as it loses the backend's own unsynced writes; replay then repeats
 * those batches rather than skipping any).
 *
 * @param path - the segment file
 * @param cursor - points of it already delivered
 * @throws Error when the disk refuses the write
 */
export function writeCursor(path: string, cursor: number): void {
  const fd = openCursor(path);
  try {
    writeCursorTo(fd, cursor);
  } finally {
    closeSync(fd);
  }
}

/**
 * Opens a segment's cursor file for {@link writeCursorTo} (created when missing), for a reader
 * that records its progress after every batch: one write a batch instead of an open, a write
 * and a close.
 *
 * @param path - the segment file
 * @returns the cursor file's descriptor (the caller closes it)
 * @throws Error when the disk refuses it
 */
export function openCursor(path: string): number {
  return openSync(`${path}.cursor`, constants.O_WRONLY | constants.O_CREAT);
}

/**
 * Writes a cursor into an open cursor file, in place (see {@link writeCursor}).
 *
 * @param fd - from {@link openCursor}
 * @param cursor - points of the segment already delivered
 * @throws Error when the disk refuses the write
 */
export function writeCursorTo(fd: number, cursor: number): void {
  writeSync(fd, `${String(cursor).padStart(CURSOR_WIDTH)}\n`, 0);
}

/**
 * Reads a segment's cursor file: how many of its points were already delivered.
 *
 * @param path - the segment file
 * @returns the count (0 without a readable cursor file)
 */
export function readCursor(path: string): number {
  try {
    const n = Number(readFileSync(`${path}.cursor`, "utf8").trim());
    return Number.isSafeInteger(n) && n > 0 ? n : 0;
  } catch {
    return 0;
  }
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
