import type { Logger } from "pino";
import type { MetricRecord } from "../types.js";
import type { Spool, SpoolSegment } from "./spool.js";
import { readSegment, removeSegment } from "./spool-files.js";

/** One queued item: a batch in memory, or a spool segment on disk (with its read cursor). */
export type QueueEntry =
  | { kind: "mem"; batch: MetricRecord[]; seq: number }
  | { kind: "disk"; segment: SpoolSegment; points?: MetricRecord[]; cursor: number };

/**
 * A backend's queue in logging order, partly in memory and partly in its spool on disk. Once
 * anything is on disk, newer batches go to disk too, so the order always holds.
 */
export class ChannelQueue {
  /** Points in memory. */
  memPoints = 0;
  /** Points in the spool. */
  diskPoints = 0;
  private fifo: QueueEntry[] = [];
  private diskEntries = 0;

  /**
   * @param spool - the backend's spool
   * @param logger - where a refused spool write is reported
   * @param name - the backend's name, for that report
   */
  constructor(
    private readonly spool: Spool,
    private readonly logger: Logger,
    private readonly name: string,
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
   * Adds a batch at the end, on disk when asked (or when it must, to keep the order).
   *
   * @param batch - points in logging order
   * @param seq - the batch's sequence number
   * @param toDisk - spill it rather than keep it in memory
   */
  push(batch: MetricRecord[], seq: number, toDisk: boolean): void {
    if ((toDisk || this.diskEntries > 0) && this.spill(batch, seq)) return;
    this.fifo.push({ kind: "mem", batch, seq });
    this.memPoints += batch.length;
  }

  /**
   * The next points to deliver from the head (a whole batch, or up to `max` points of a segment).
   * A segment whose file is gone is dropped from the queue (logged): none then.
   *
   * @param max - points per delivery from a segment
   * @returns the points, or undefined when the queue is empty
   * @throws when a segment's file cannot be read (other than missing)
   */
  async next(max: number): Promise<MetricRecord[] | undefined> {
    const entry = this.fifo[0];
    if (!entry) return undefined;
    if (entry.kind === "mem") return entry.batch;
    this.spool.seal(entry.segment);
    try {
      entry.points ??= await readSegment(entry.segment.path);
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
    return entry.points.slice(entry.cursor, entry.cursor + max);
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
      this.memPoints -= count;
      return entry.seq;
    }
    entry.cursor += count;
    this.diskPoints -= count;
    if (entry.cursor < (entry.points?.length ?? 0)) return undefined;
    this.fifo.shift();
    this.diskEntries--;
    // A torn line read back as nothing still counted when it was written.
    this.diskPoints -= entry.segment.points - entry.cursor;
    await removeSegment(entry.segment.path);
    return entry.segment.lastSeq;
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
      } else if (this.spill(e.batch, e.seq)) this.memPoints -= e.batch.length;
      else this.fifo.push(e);
    }
  }

  /** Closes every open spool segment (fsynced; a failure is logged, never thrown). */
  sealAll(): void {
    for (const e of this.fifo) if (e.kind === "disk") this.spool.seal(e.segment);
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
      const segment = this.spool.append(undefined, head.batch, head.seq);
      this.spool.seal(segment);
      const parked: QueueEntry = { kind: "disk", segment, points: head.batch, cursor: 0 };
      this.fifo[0] = parked;
      this.diskEntries++;
      this.memPoints -= head.batch.length;
      this.diskPoints += head.batch.length;
      return parked;
    } catch (error) {
      this.logger.error({ plugin: this.name, err: error }, "could not spool the batch in flight");
      return undefined;
    }
  }

  /**
   * After delivery halted: records that `count` points of the head segment were delivered late,
   * and removes them from the file so that `tracelet sync` does not send them again.
   *
   * @param entry - the head the points came from
   * @param count - points delivered
   */
  commitLate(entry: QueueEntry, count: number): void {
    if (this.fifo[0] !== entry || entry.kind !== "disk") return;
    entry.cursor += count;
    this.diskPoints -= count;
    this.trimHead();
  }

  /** Rewrites the head segment without the points already delivered from it (or removes it). */
  trimHead(): void {
    const head = this.fifo[0];
    if (head?.kind !== "disk" || head.cursor === 0 || !head.points) return;
    const rest = head.points.slice(head.cursor);
    try {
      this.spool.rewrite(head.segment, rest);
    } catch (error) {
      this.logger.error({ plugin: this.name, err: error }, "could not trim a delivered spool segment");
      return;
    }
    if (rest.length > 0) {
      head.points = rest;
      head.cursor = 0;
      return;
    }
    this.fifo.shift();
    this.diskEntries--;
  }

  /** Appends one batch to the spool; false when the disk refused it (it then stays in memory). */
  private spill(batch: MetricRecord[], seq: number): boolean {
    const tail = this.fifo[this.fifo.length - 1];
    const open = tail?.kind === "disk" && tail.segment.fd !== undefined ? tail.segment : undefined;
    try {
      const segment = this.spool.append(open, batch, seq);
      if (segment !== open) {
        this.fifo.push({ kind: "disk", segment, cursor: 0 });
        this.diskEntries++;
      }
      this.diskPoints += batch.length;
      return true;
    } catch (error) {
      this.logger.error({ plugin: this.name, err: error }, "could not spool a batch; kept in memory");
      return false;
    }
  }
}
