import type { Logger } from "pino";
import type { MetricRecord } from "../types.js";
import type { PointBatch } from "./deliver-batch.js";
import type { MetricChunk } from "./metric-chunk.js";
import type { Spool, SpoolSegment } from "./spool.js";
import { type SegmentPoints, segmentPointsOf } from "./spool-codec.js";
import { readSegmentPoints, removeSegment } from "./spool-files.js";

/** One queued item: a shared chunk in memory, or a spool segment on disk (with its read cursor). */
export type QueueEntry =
  | { kind: "mem"; chunk: MetricChunk }
  | { kind: "disk"; segment: SpoolSegment; points?: SegmentPoints; reading?: Promise<SegmentPoints>; cursor: number };

/**
 * A backend's queue in logging order, partly in memory and partly in its spool on disk. Once
 * anything is on disk, newer batches go to disk too, so the order always holds.
 */
export class ChannelQueue {
  /** Points in memory. */
  memPoints = 0;
  /** Bytes of the chunks held in memory. */
  memBytes = 0;
  /** Points in the spool. */
  diskPoints = 0;
  private fifo: QueueEntry[] = [];
  private diskEntries = 0;
  // Whether the last spill was refused (a full or read-only disk): logged once per outage.
  private spoolRefused = false;

  /**
   * @param spool - the backend's spool
   * @param logger - where a refused spool write is reported
   * @param name - the backend's name, for that report
   * @param release - called when the queue lets go of a chunk it held in memory
   */
  constructor(
    private readonly spool: Spool,
    private readonly logger: Logger,
    private readonly name: string,
    private readonly release: (chunk: MetricChunk) => void,
  ) {}

  /** Entries waiting. */
  get length(): number {
    return this.fifo.length;
  }

  /** The oldest entry. */
  head(): QueueEntry | undefined {
    return this.fifo[0];
  }

  /**
   * Adds a chunk at the end, on disk when asked (or when it must, to keep the order).
   *
   * @param chunk - a sealed chunk (the queue takes a reference while it holds it in memory)
   * @param toDisk - spill it rather than keep it in memory
   */
  push(chunk: MetricChunk, toDisk: boolean): void {
    if ((toDisk || this.diskEntries > 0) && this.spill(chunk)) return;
    chunk.refs++;
    this.fifo.push({ kind: "mem", chunk });
    this.memPoints += chunk.length;
    this.memBytes += chunk.bytes;
  }

  private dropMem(chunk: MetricChunk): void {
    this.memPoints -= chunk.length;
    this.memBytes -= chunk.bytes;
    if (--chunk.refs === 0) this.release(chunk);
  }

  /**
   * The next points to deliver from the head (a whole batch, or up to `max` points of a segment),
   * as records or as columns: either way a fresh copy, the backend's own. A segment whose file is
   * gone is dropped from the queue (logged): none then.
   *
   * @param max - points per delivery from a segment
   * @param columns - make columns (for a backend with `logMetricColumns`) rather than records
   * @returns the points, or undefined when the queue is empty
   * @throws when a segment's file cannot be read (other than missing)
   */
  async next(max: number, columns?: false): Promise<MetricRecord[] | undefined>;
  async next(max: number, columns: boolean): Promise<PointBatch | undefined>;
  async next(max: number, columns = false): Promise<PointBatch | undefined> {
    const entry = this.fifo[0];
    if (!entry) return undefined;
    if (entry.kind === "mem") return columns ? entry.chunk.toColumns() : entry.chunk.toRecords();
    this.spool.seal(entry.segment, true);
    try {
      if (!entry.points) {
        const path = entry.segment.path;
        const ahead = entry.reading;
        // A failed read is not kept: the next try reads the file again. A read ahead that failed
        // is tried again at once (its cause may have passed: too many open files, say).
        entry.reading = undefined;
        entry.points = await (ahead ? ahead.catch(() => readSegmentPoints(path)) : readSegmentPoints(path));
      }
      this.readAhead();
    } catch (error) {
      // A segment deleted by hand cannot be replayed, and waiting would hold every later point
      // behind it for ever: it is dropped (and reported), and delivery goes on. Any other read
      // error is thrown: the segment may become readable again.
      if ((error as NodeJS.ErrnoException).code !== "ENOENT" || this.fifo[0] !== entry) throw error;
      const points = entry.segment.points - entry.cursor;
      this.fifo.shift();
      this.diskEntries--;
      this.diskPoints -= points;
      const where = { plugin: this.name, err: error, path: entry.segment.path, points };
      this.logger.error(where, "a spool segment vanished before it was replayed: its points are lost");
      return [];
    }
    const to = entry.cursor + max;
    return columns ? entry.points.columns(entry.cursor, to) : entry.points.slice(entry.cursor, to);
  }

  // Starts reading the segment after the head (once sealed: the spill no longer appends to it) in
  // the thread pool while the head is delivered, so that the read (a few round trips through the
  // pool per segment) overlaps the backend's work instead of following it.
  private readAhead(): void {
    const next = this.fifo[1];
    if (next?.kind !== "disk" || next.points || next.reading || next.segment.fd !== undefined) return;
    next.reading = readSegmentPoints(next.segment.path);
    // Awaited, and a failure handled, once the segment is the head; dropped with it otherwise.
    next.reading.catch(() => undefined);
  }

  /**
   * Marks `count` points of the head delivered; removes the head when it is done.
   *
   * @param entry - the head the points came from
   * @param count - points delivered
   * @returns the sequence number of the last batch now wholly delivered, if the head is done
   */
  async advance(entry: QueueEntry, count: number): Promise<number | undefined> {
    if (this.fifo[0] !== entry) return undefined;
    if (entry.kind === "mem") {
      this.fifo.shift();
      this.dropMem(entry.chunk);
      return entry.chunk.seq;
    }
    entry.cursor += count;
    this.diskPoints -= count;
    // Durable before the next batch goes out, and before the segment is deleted: a process killed
    // now resumes after these points (in this process or in `tracelet sync`), never sending them
    // twice.
    this.saveCursor(entry);
    if (entry.cursor < (entry.points?.length ?? 0)) return undefined;
    this.fifo.shift();
    this.diskEntries--;
    // A torn block read back as nothing still counted when it was written.
    this.diskPoints -= entry.segment.points - entry.cursor;
    this.spool.closeCursor();
    await removeSegment(entry.segment.path);
    return entry.segment.lastSeq;
  }

  private saveCursor(entry: QueueEntry & { kind: "disk" }): void {
    try {
      this.spool.saveCursor(entry.segment, entry.cursor);
    } catch (error) {
      this.logger.error({ plugin: this.name, err: error }, "could not record spool replay progress");
    }
  }

  /**
   * Moves every in-memory batch to the spool, keeping the order.
   *
   * @param keepHead - leave the head in memory (it is being delivered right now)
   */
  spillMemory(keepHead = false): void {
    if (this.memPoints === 0) return;
    const old = this.fifo;
    this.fifo = [];
    this.diskEntries = 0;
    for (const [i, e] of old.entries()) {
      if (i === 0 && keepHead && e.kind === "mem") this.fifo.push(e);
      else if (e.kind === "disk") {
        this.fifo.push(e);
        this.diskEntries++;
      } else if (this.spill(e.chunk)) this.dropMem(e.chunk);
      else this.fifo.push(e);
    }
  }

  /** Closes every open spool segment, all fsynced when it returns (a failure is logged, never thrown). */
  sealAll(): void {
    for (const e of this.fifo) if (e.kind === "disk") this.spool.seal(e.segment);
    this.spool.syncPending();
    this.spool.closeCursor();
  }

  /**
   * Writes the head batch, alone, to a segment of its own (the batch in flight when delivery
   * halts), so that a late success can delete exactly that segment.
   *
   * @returns the head as it now is on disk (its points loaded), or undefined when it was not in
   *   memory or the disk refused it
   */
  parkHead(): QueueEntry | undefined {
    const head = this.fifo[0];
    if (head?.kind !== "mem") return head;
    try {
      const segment = this.spool.append(undefined, head.chunk);
      this.spool.seal(segment);
      // A copy: the chunk is reused once the last queue lets go of it.
      const parked: QueueEntry = { kind: "disk", segment, points: segmentPointsOf(head.chunk.toColumns()), cursor: 0 };
      this.fifo[0] = parked;
      this.diskEntries++;
      this.diskPoints += head.chunk.length;
      this.dropMem(head.chunk);
      return parked;
    } catch (error) {
      this.logger.error({ plugin: this.name, err: error }, "could not spool the batch in flight");
      return undefined;
    }
  }

  /**
   * After delivery halted: records that `count` points of the head segment were delivered late,
   * so that `tracelet sync` does not send them again.
   *
   * @param entry - the head the points came from
   * @param count - points delivered
   */
  commitLate(entry: QueueEntry, count: number): void {
    if (this.fifo[0] !== entry || entry.kind !== "disk") return;
    entry.cursor += count;
    this.diskPoints -= count;
    this.trimHead();
    // After a halt nothing more is replayed here: the cursor file is not kept open.
    this.spool.closeCursor();
  }

  /**
   * Records how far the head segment was delivered (its cursor file), or removes the segment
   * when all of it was, so that `tracelet sync` resumes exactly there.
   */
  trimHead(): void {
    const head = this.fifo[0];
    if (head?.kind !== "disk" || head.cursor === 0 || !head.points) return;
    if (head.cursor < head.points.length) {
      this.saveCursor(head);
      return;
    }
    this.spool.seal(head.segment);
    this.spool.closeCursor();
    void removeSegment(head.segment.path);
    this.fifo.shift();
    this.diskEntries--;
  }

  /** Appends one chunk to the spool; false when the disk refused it (it then stays in memory). */
  private spill(chunk: MetricChunk): boolean {
    const tail = this.fifo[this.fifo.length - 1];
    const open = tail?.kind === "disk" && tail.segment.fd !== undefined ? tail.segment : undefined;
    try {
      const segment = this.spool.append(open, chunk);
      if (segment !== open) {
        this.fifo.push({ kind: "disk", segment, cursor: 0 });
        this.diskEntries++;
      }
      this.diskPoints += chunk.length;
      if (this.spoolRefused) {
        this.spoolRefused = false;
        this.logger.info({ plugin: this.name }, "the spool takes writes again");
      }
      return true;
    } catch (error) {
      // A full disk refuses every batch until space comes back: one line per outage, not one
      // stack trace per batch.
      if (!this.spoolRefused) {
        this.spoolRefused = true;
        const cause = error instanceof Error ? (error.cause as NodeJS.ErrnoException | undefined) : undefined;
        const reason = `${error instanceof Error ? error.message : String(error)}${cause?.code ? ` (${cause.code})` : ""}`;
        this.logger.error(
          { plugin: this.name, reason },
          `could not spool a batch: ${reason}; batches stay in memory until the disk takes writes again`,
        );
      }
      return false;
    }
  }
}
