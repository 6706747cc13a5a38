import {
  closeSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import { TraceletError } from "../errors.js";
import type { MetricRecord } from "../types.js";
import { RecordEncoder } from "./record-codec.js";
import { segmentName } from "./spool-files.js";
import { type SpoolMeta, scrubbedMeta } from "./spool-meta.js";

export type { SpoolMeta } from "./spool-meta.js";

/** Batches appended to one spool segment before a new one is started. */
const SEGMENT_BATCHES = 16;

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
}

/**
 * One backend's spool directory, `<run dir>/spool/<backend>/`: JSON Lines segments named by
 * sequence number plus `backend.json`. Writes are synchronous so that they also work inside a
 * process `exit` handler.
 */
export class Spool {
  private readonly encoder = new RecordEncoder();
  private ready = false;

  /**
   * @param dir - the directory
   * @param meta - written to `backend.json` with the first segment
   * @param session - this process's session in segment names (default now)
   * @param logger - where a failed fsync or close is reported
   */
  constructor(
    readonly dir: string,
    private readonly meta: SpoolMeta,
    private readonly session: number = Date.now(),
    private readonly logger?: Logger,
  ) {}

  /**
   * Appends a batch, to `segment` when it is still open, not full and its file still exists, else
   * to a new segment.
   *
   * @param segment - the segment to extend, if any
   * @param batch - the points
   * @param seq - the batch's sequence number
   * @returns the segment the batch went to
   * @throws TraceletError `TRACELET_ERR_SPOOL_FAILED`
   */
  append(segment: SpoolSegment | undefined, batch: readonly MetricRecord[], seq: number): SpoolSegment {
    try {
      this.prepare();
      let target = segment;
      // A segment file deleted while open would swallow every later batch: a new one is started.
      if (!target || target.fd === undefined || target.batches >= SEGMENT_BATCHES || unlinked(target.fd)) {
        if (target) this.seal(target);
        const path = join(this.dir, segmentName(this.session, seq));
        target = { path, firstSeq: seq, lastSeq: seq, points: 0, batches: 0, fd: openSync(path, "a") };
      }
      writeSync(target.fd as number, this.encoder.encode(batch));
      target.lastSeq = seq;
      target.points += batch.length;
      target.batches++;
      return target;
    } catch (error) {
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
   */
  seal(segment: SpoolSegment): void {
    if (segment.fd === undefined) return;
    const fd = segment.fd;
    segment.fd = undefined;
    try {
      fsyncSync(fd);
    } catch (error) {
      this.logger?.error({ err: error, path: segment.path }, "could not fsync a spool segment");
    }
    try {
      closeSync(fd);
    } catch (error) {
      this.logger?.error({ err: error, path: segment.path }, "could not close a spool segment");
    }
  }

  /**
   * Replaces a sealed segment's content with the points not yet delivered (written to a temporary
   * file, then renamed over it), or deletes it when nothing is left, so that `tracelet sync`
   * never sends a point twice.
   *
   * @param segment - a sealed segment
   * @param rest - the points still to deliver, in order
   * @throws Error when the disk refuses the write
   */
  rewrite(segment: SpoolSegment, rest: readonly MetricRecord[]): void {
    this.seal(segment);
    if (rest.length === 0) {
      try {
        unlinkSync(segment.path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
    } else {
      const temp = `${segment.path}.tmp`;
      const fd = openSync(temp, "w");
      try {
        writeSync(fd, this.encoder.encode(rest));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, segment.path);
    }
    segment.points = rest.length;
  }

  private prepare(): void {
    if (this.ready) return;
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(join(this.dir, "backend.json"), `${JSON.stringify(scrubbedMeta(this.meta), null, 2)}\n`);
    this.ready = true;
  }
}

function unlinked(fd: number): boolean {
  return fstatSync(fd).nlink === 0;
}
