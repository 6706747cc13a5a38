import {
  close,
  closeSync,
  fstatSync,
  fsync,
  fsyncSync,
  mkdirSync,
  openSync,
  rmSync,
  writeFileSync,
  writeSync,
  writevSync,
} from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import { TraceletError } from "../errors.js";
import type { MetricChunk } from "./metric-chunk.js";
import { encodeBlock, SEGMENT_MAGIC, type SegmentNames, segmentNames } from "./spool-codec.js";
import { openCursor, segmentName, writeCursorTo } from "./spool-files.js";
import { type SpoolMeta, scrubbedMeta } from "./spool-meta.js";

export type { SpoolMeta } from "./spool-meta.js";

/** Batches appended to one spool segment before a new one is started. */
const SEGMENT_BATCHES = 16;

/**
 * Segments whose fsync may run in the thread pool at once. Each holds its descriptor until its
 * callback runs, which a loop that never yields delays: past this many, a segment is fsynced on
 * the caller's thread, so a long spill cannot run out of descriptors.
 */
const BACKGROUND_SYNCS = 32;

/** One spool file: batches `firstSeq..lastSeq` of one backend, in order. */
export interface SpoolSegment {
  /** Absolute path. */
  path: string;
  /** Sequence number of its first batch (also its file name). */
  firstSeq: number;
  /** Sequence number of its last batch. */
  lastSeq: number;
  /** Points it holds. */
  points: number;
  /** Batches written to it. */
  batches: number;
  /** Open file descriptor while batches may still be appended. */
  fd?: number;
  /** The names the segment already defines (while it is open). */
  names?: SegmentNames;
}

/**
 * One backend's spool directory, `<run dir>/spool/<backend>/`: binary segments (see
 * `spool-codec.ts`: each batch's columns written as they are in memory) named by sequence number,
 * plus `backend.json`. Writes are synchronous so that they also work inside a process `exit`
 * handler, and cost a copy of the columns, not an encoding of each point.
 */
export class Spool {
  private ready = false;
  private where: string;
  /** The cursor file of the segment being replayed, kept open between its batches. */
  private cursor: { path: string; fd: number } | undefined;
  /** Segments being fsynced in the thread pool, by descriptor (and whether a failure was logged). */
  private readonly syncing = new Map<number, { path: string; reported: boolean }>();

  /**
   * @param dir - the directory
   * @param meta - written to `backend.json` with the first segment
   * @param session - this process's session in segment names (default now)
   * @param logger - where a failed fsync or close is reported
   * @param fallback - the directory to use instead when `dir` refuses writes (a read-only or
   *   full run directory), e.g. under the OS temporary directory
   */
  constructor(
    dir: string,
    private readonly meta: SpoolMeta,
    private readonly session: number = Date.now(),
    private readonly logger?: Logger,
    private readonly fallback?: string,
  ) {
    this.where = dir;
  }

  /** The directory segments are written to (the fallback once the first one refused). */
  get dir(): string {
    return this.where;
  }

  /**
   * Appends a batch, to `segment` when it is still open, not full and its file still exists, else
   * to a new segment.
   *
   * @param segment - the segment to extend, if any
   * @param chunk - the points
   * @returns the segment the batch went to
   * @throws TraceletError `TRACELET_ERR_SPOOL_FAILED`
   */
  append(segment: SpoolSegment | undefined, chunk: MetricChunk): SpoolSegment {
    const seq = chunk.seq;
    let target = segment;
    let created = false;
    try {
      this.prepare();
      // A segment file deleted while open would swallow every later batch: a new one is started.
      if (
        !target ||
        target.fd === undefined ||
        target.batches >= SEGMENT_BATCHES ||
        target.names?.table !== chunk.names ||
        unlinked(target.fd)
      ) {
        if (target) this.seal(target, true);
        const path = join(this.dir, segmentName(this.session, seq));
        const fd = openSync(path, "a");
        target = { path, firstSeq: seq, lastSeq: seq, points: 0, batches: 0, fd, names: segmentNames(chunk.names) };
        created = true;
        writeSync(fd, SEGMENT_MAGIC);
      }
      writeAll(target.fd as number, encodeBlock(chunk, target.names as SegmentNames));
      target.lastSeq = seq;
      target.points += chunk.length;
      target.batches++;
      return target;
    } catch (error) {
      // The disk may have taken part of the block: a reader stops at the first torn block, so
      // nothing may follow it in this segment. It is closed, and the next batch starts a new one;
      // one this call made holds nothing whole and goes (a retry of the batch would reopen it).
      if (target) this.seal(target);
      if (created && target) {
        try {
          rmSync(target.path, { force: true });
        } catch {
          // Left behind, it is read as a segment with nothing whole in it.
        }
      }
      throw new TraceletError("TRACELET_ERR_SPOOL_FAILED", `Could not write the spool in ${this.dir}.`, {
        cause: error,
        details: { dir: this.dir },
      });
    }
  }

  /**
   * Closes a segment for appends (fsyncs it first). Never throws: it also runs at process exit,
   * where a failed fsync or close (full disk, EIO) must not stop the other spools from closing;
   * such a failure is logged.
   *
   * @param segment - the segment
   * @param background - fsync and close it in the thread pool (a segment filled by the caller's
   *   own loop: its fsync would otherwise stall that loop; the points are in the page cache and
   *   survive a killed process either way). {@link Spool.syncPending} makes such fsyncs happen now.
   */
  seal(segment: SpoolSegment, background = false): void {
    if (segment.fd === undefined) return;
    const fd = segment.fd;
    const path = segment.path;
    segment.fd = undefined;
    segment.names = undefined;
    if (background && this.syncing.size < BACKGROUND_SYNCS) {
      const pending = { path, reported: false };
      this.syncing.set(fd, pending);
      fsync(fd, (error) => {
        // An error this fsync met is not always seen by syncPending's fsync of the same file
        // (the kernel reports a failed writeback once): it is logged unless that one did.
        if (error && !pending.reported) this.logger?.error({ err: error, path }, "could not fsync a spool segment");
        this.syncing.delete(fd);
        close(fd, (closeError) => {
          if (closeError) this.logger?.error({ err: closeError, path }, "could not close a spool segment");
        });
      });
      return;
    }
    try {
      fsyncSync(fd);
    } catch (error) {
      this.logger?.error({ err: error, path }, "could not fsync a spool segment");
    }
    try {
      closeSync(fd);
    } catch (error) {
      this.logger?.error({ err: error, path }, "could not close a spool segment");
    }
  }

  /**
   * fsyncs now, on this thread, every segment whose fsync was handed to the thread pool and has
   * not reported back (run end, process exit: the callbacks may never run). Never throws.
   */
  syncPending(): void {
    for (const [fd, pending] of this.syncing) {
      // Its callback still closes it, and reports a failure unless this call already did.
      this.syncing.delete(fd);
      try {
        fsyncSync(fd);
      } catch (error) {
        pending.reported = true;
        this.logger?.error({ err: error, path: pending.path }, "could not fsync a spool segment");
      }
    }
  }

  /**
   * Records that the first `cursor` points of a segment were delivered, in its cursor file
   * (`<segment>.cursor`, one fixed-width write in place: see `writeCursor`), so that a replay
   * after a crash (`tracelet sync`, or this process) starts right after them.
   *
   * @param segment - the segment
   * @param cursor - points of it delivered, from its start
   * @throws Error when the disk refuses the write
   */
  saveCursor(segment: SpoolSegment, cursor: number): void {
    // The head segment's cursor file stays open while it is replayed: a write per batch.
    if (this.cursor?.path !== segment.path) {
      this.closeCursor();
      this.cursor = { path: segment.path, fd: openCursor(segment.path) };
    }
    writeCursorTo(this.cursor.fd, cursor);
  }

  /** Closes the cursor file {@link Spool.saveCursor} keeps open, if any (a segment done, a halt). Never throws. */
  closeCursor(): void {
    const open = this.cursor;
    this.cursor = undefined;
    if (!open) return;
    try {
      closeSync(open.fd);
    } catch (error) {
      this.logger?.error({ err: error, path: open.path }, "could not close a spool cursor file");
    }
  }

  private prepare(): void {
    if (this.ready) return;
    try {
      this.create(this.where);
    } catch (error) {
      // A run directory that refuses writes (read-only, full, not ours) must not lose the points:
      // they go to the fallback, and the stop report says where.
      if (!this.fallback || this.fallback === this.where) throw error;
      this.create(this.fallback);
      this.logger?.warn(
        { err: error, dir: this.where, fallback: this.fallback },
        "the run directory refuses the spool: spooling elsewhere",
      );
      this.where = this.fallback;
    }
    this.ready = true;
  }

  private create(dir: string): void {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "backend.json"), `${JSON.stringify(scrubbedMeta(this.meta), null, 2)}\n`);
  }
}

// writev may write less than asked (a full disk, a signal): the rest is written until done or
// refused, so a block is never silently cut short.
function writeAll(fd: number, buffers: Buffer[]): void {
  let total = 0;
  for (const b of buffers) total += b.length;
  let written = writevSync(fd, buffers);
  while (written < total) {
    let skip = written;
    const rest: Buffer[] = [];
    for (const b of buffers) {
      if (skip >= b.length) skip -= b.length;
      else {
        rest.push(skip > 0 ? b.subarray(skip) : b);
        skip = 0;
      }
    }
    const n = writevSync(fd, rest);
    if (n <= 0) throw new Error("short write to the spool");
    written += n;
  }
}

function unlinked(fd: number): boolean {
  return fstatSync(fd).nlink === 0;
}
