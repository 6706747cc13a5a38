import type { MetricColumns, MetricRecord } from "../types.js";
import { allocColumns, copyColumns, POINT_BYTES, recordsOf } from "./metric-columns.js";

/**
 * One batch of points in columns: name ids, values, steps and timestamps. The hot path fills one
 * chunk at a time; once sealed, a chunk is immutable and shared by every backend's queue (one per
 * seal, not one copy per backend), counted by references so that it can be reused once the last
 * queue let go of it. A backend is handed its own copy of the columns, or records made from them.
 */
export class MetricChunk implements MetricColumns {
  /** Name ids (indexes into {@link MetricChunk.names}). */
  readonly ids: Int32Array;
  /** Values. */
  readonly values: Float64Array;
  /** Steps. */
  readonly steps: Float64Array;
  /** Timestamps, ms since the epoch. */
  readonly times: Float64Array;
  /** Points written. */
  length = 0;
  /** Sequence number of the batch, from 1 (0 until sealed). */
  seq = 0;
  /** Queues that still hold the chunk in memory. */
  refs = 0;

  /**
   * @param capacity - points it can hold
   * @param names - names by id; ids only ever grow, so a sealed chunk's names never change
   */
  constructor(
    capacity: number,
    readonly names: readonly string[],
  ) {
    // One allocation for the four columns: a never-yielding loop allocates a chunk per batch
    // until the queues' byte bound is reached. Only the first `length` points are ever read.
    const { values, steps, times, ids } = allocColumns(capacity, names);
    this.values = values;
    this.steps = steps;
    this.times = times;
    this.ids = ids;
  }

  /** Memory its columns take, in bytes (whatever its length). */
  get bytes(): number {
    return this.ids.length * POINT_BYTES;
  }

  /**
   * A sealed chunk holding these points (for points that do not come from the hot path: a
   * spool written by hand, a test). Chunks built on one shared `names` table may share a spool
   * segment, as the hot path's do.
   *
   * @param records - the points, in order
   * @param seq - its sequence number
   * @param names - the name table to intern into (default a table of its own; names are only
   *   ever appended to it)
   * @returns a sealed chunk of exactly that length
   */
  static fromRecords(records: readonly MetricRecord[], seq = 0, names: string[] = []): MetricChunk {
    const ids = new Map<string, number>(names.map((n, i) => [n, i]));
    const chunk = new MetricChunk(Math.max(1, records.length), names);
    for (const [i, p] of records.entries()) {
      let id = ids.get(p.name);
      if (id === undefined) {
        id = names.length;
        names.push(p.name);
        ids.set(p.name, id);
      }
      chunk.ids[i] = id;
      chunk.values[i] = p.value;
      chunk.steps[i] = p.step;
      chunk.times[i] = p.timestamp;
    }
    chunk.length = records.length;
    chunk.seq = seq;
    return chunk;
  }

  /**
   * Makes records of points `from..to`: a fresh array of fresh objects, so that whoever receives
   * them cannot change what another backend receives.
   *
   * @param from - first index (default 0)
   * @param to - end index, exclusive (default the length)
   * @returns the points, in order
   */
  toRecords(from = 0, to = this.length): MetricRecord[] {
    return recordsOf(this, from, to);
  }

  /**
   * Copies points `from..to` into columns of their own (a `memcpy` of each column), so that
   * whoever receives them cannot change what another backend receives, nor see the chunk reused.
   *
   * @param from - first index (default 0)
   * @param to - end index, exclusive (default the length)
   * @returns the copy
   */
  toColumns(from = 0, to = this.length): MetricColumns {
    return copyColumns(this, from, to);
  }
}
