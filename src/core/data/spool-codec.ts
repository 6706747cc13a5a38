import type { MetricColumns, MetricRecord } from "../types.js";
import type { MetricChunk } from "./metric-chunk.js";
import { allocColumns, copyInto, frozenNames, recordsOf } from "./metric-columns.js";

/** The first bytes of a binary spool segment. */
export const SEGMENT_MAGIC = Buffer.from("TLSPOOL1", "latin1");

const BLOCK_MAGIC = 0x6b424c54; // "TLBk"
const BLOCK_END = 0x644e4554; // "TENd"
const HEADER_BYTES = 24;
const TRAILER_BYTES = 8;

const pad8 = (n: number): number => (n + 7) & ~7;

/**
 * What a segment writer remembers between blocks: which name ids the segment already defines,
 * so that each name is written once per segment, not once per point or per batch.
 */
export interface SegmentNames {
  /** The name table the ids refer to (a segment holds chunks of one table only). */
  table: readonly string[];
  /** 1 at each id already defined in the segment. */
  defined: Uint8Array;
  /** How many ids are defined: once it is every name of the table, a block needs no scan. */
  count: number;
}

/**
 * A fresh name memory for a segment whose chunks use `table`.
 *
 * @param table - names by id
 * @returns the memory
 */
export function segmentNames(table: readonly string[]): SegmentNames {
  return { table, defined: new Uint8Array(Math.max(64, table.length)), count: 0 };
}

/**
 * Encodes one chunk as a block of a binary spool segment: a header (count, sequence number, the
 * names first used in this segment), then the four columns as they are in memory (no per-point
 * encoding: the column buffers are written directly), then a trailer that tells a whole block
 * from one torn by a crash.
 *
 * @param chunk - a sealed chunk
 * @param names - the segment's name memory (updated)
 * @returns the buffers to write, in order (`writev`)
 */
export function encodeBlock(chunk: MetricChunk, names: SegmentNames): Buffer[] {
  const { ids, length } = chunk;
  if (names.defined.length < chunk.names.length) {
    const grown = new Uint8Array(Math.max(chunk.names.length, names.defined.length * 2));
    grown.set(names.defined);
    names.defined = grown;
  }
  const defined = names.defined;
  const fresh: number[] = [];
  // A segment that already defines every name of the table (most: a run's names are few and
  // come early) has nothing to look for in the block's ids.
  for (let i = names.count < chunk.names.length ? 0 : length; i < length; i++) {
    const id = ids[i];
    if (defined[id] === 0) {
      defined[id] = 1;
      names.count++;
      fresh.push(id);
    }
  }
  const encoded = fresh.map((id) => Buffer.from(chunk.names[id], "utf8"));
  let namesBytes = 0;
  for (const b of encoded) namesBytes += 8 + b.length;
  const namesPadded = pad8(namesBytes);
  const head = Buffer.alloc(HEADER_BYTES + namesPadded);
  head.writeUInt32LE(BLOCK_MAGIC, 0);
  head.writeUInt32LE(length, 4);
  head.writeDoubleLE(chunk.seq, 8);
  head.writeUInt32LE(namesPadded, 16);
  head.writeUInt32LE(fresh.length, 20);
  let at = HEADER_BYTES;
  for (const [k, b] of encoded.entries()) {
    head.writeUInt32LE(fresh[k], at);
    head.writeUInt32LE(b.length, at + 4);
    b.copy(head, at + 8);
    at += 8 + b.length;
  }
  const idBytes = length * 4;
  const out = [head, view(chunk.ids, idBytes)];
  if (pad8(idBytes) !== idBytes) out.push(Buffer.alloc(pad8(idBytes) - idBytes));
  out.push(view(chunk.values, length * 8), view(chunk.steps, length * 8), view(chunk.times, length * 8));
  const tail = Buffer.alloc(TRAILER_BYTES);
  tail.writeUInt32LE(BLOCK_END, 0);
  tail.writeUInt32LE(length, 4);
  out.push(tail);
  return out;
}

function view(array: Int32Array | Float64Array, bytes: number): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, bytes);
}

function column(buf: Buffer, at: number, count: number): Float64Array {
  const offset = buf.byteOffset + at;
  if (offset % 8 === 0) return new Float64Array(buf.buffer, offset, count);
  return new Float64Array(buf.buffer.slice(offset, offset + count * 8));
}

function idColumn(buf: Buffer, at: number, count: number): Int32Array {
  const offset = buf.byteOffset + at;
  if (offset % 4 === 0) return new Int32Array(buf.buffer, offset, count);
  return new Int32Array(buf.buffer.slice(offset, offset + count * 4));
}

/**
 * The points of a segment read back, as a list: `slice` makes records, `columns` a copy of the
 * columns, only for what they return.
 */
export interface SegmentPoints {
  /** Points in the segment. */
  readonly length: number;
  /**
   * Records of points `[from, to)`, fresh objects each call.
   *
   * @param from - first index
   * @param to - end index, exclusive (clamped to the length)
   */
  slice(from: number, to: number): MetricRecord[];
  /**
   * Points `[from, to)` in columns of their own, a fresh copy each call.
   *
   * @param from - first index
   * @param to - end index, exclusive (clamped to the length)
   */
  columns(from: number, to: number): MetricColumns;
}

/** One whole block of a segment: its columns, viewed in the file's buffer (not copied). */
interface DecodedBlock extends MetricColumns {
  start: number;
}

// A segment held as its blocks' columns: decoding 64k points into objects at once made them all
// live together (old-generation garbage); records or columns are made per delivered slice instead.
class ColumnarSegment implements SegmentPoints {
  constructor(
    private readonly blocks: DecodedBlock[],
    readonly length: number,
  ) {}

  // Calls `each(block, first, end)` for the part of each block within points [from, to).
  private parts(from: number, to: number, each: (b: DecodedBlock, first: number, end: number) => void): void {
    const end = Math.min(to, this.length);
    let i = Math.max(0, from);
    for (const b of this.blocks) {
      if (i >= end) break;
      if (i >= b.start + b.length) continue;
      const stop = Math.min(end, b.start + b.length);
      each(b, i - b.start, stop - b.start);
      i = stop;
    }
  }

  slice(from: number, to: number): MetricRecord[] {
    let out: MetricRecord[] | undefined;
    this.parts(from, to, (b, first, end) => {
      const part = recordsOf(b, first, end);
      if (out === undefined) out = part;
      else for (const p of part) out.push(p);
    });
    return out ?? [];
  }

  columns(from: number, to: number): MetricColumns {
    const count = Math.max(0, Math.min(to, this.length) - Math.max(0, from));
    const out = allocColumns(count, frozenNames(this.blocks[0]?.names ?? []));
    let at = 0;
    this.parts(from, to, (b, first, end) => {
      copyInto(out, at, b, first, end);
      at += end - first;
    });
    return out;
  }
}

/**
 * Points held in columns as segment points (a batch parked from memory, a segment written as
 * JSON Lines by an older version).
 *
 * @param columns - the points (kept, not copied: the caller gives them up)
 * @returns the points as a list
 */
export function segmentPointsOf(columns: MetricColumns): SegmentPoints {
  return new ColumnarSegment([Object.assign({ start: 0 }, columns)], columns.length);
}

/**
 * Decodes a binary spool segment. Reading stops at the first block that is not whole (a crash
 * mid-write leaves a torn last block), which is counted in `torn`.
 *
 * @param buf - the segment file's content, {@link SEGMENT_MAGIC} first
 * @returns the points in order (records made on demand, by `slice`), and whether a torn or
 *   foreign tail was found
 */
export function decodeSegmentLazily(buf: Buffer): { points: SegmentPoints; torn: boolean } {
  const blocks: DecodedBlock[] = [];
  let total = 0;
  const done = (torn: boolean) => ({ points: new ColumnarSegment(blocks, total), torn });
  if (buf.length < SEGMENT_MAGIC.length || !buf.subarray(0, SEGMENT_MAGIC.length).equals(SEGMENT_MAGIC))
    return done(buf.length > 0);
  // A segment defines only the names its points use, under the run's ids: they are renumbered
  // densely, so that the table a backend gets has no holes (a segment may start after a run's
  // first names).
  const names: string[] = [];
  const dense: number[] = [];
  let at = SEGMENT_MAGIC.length;
  while (at < buf.length) {
    if (buf.length - at < HEADER_BYTES || buf.readUInt32LE(at) !== BLOCK_MAGIC) return done(true);
    const count = buf.readUInt32LE(at + 4);
    const namesBytes = buf.readUInt32LE(at + 16);
    const nameCount = buf.readUInt32LE(at + 20);
    const idBytes = pad8(count * 4);
    const size = HEADER_BYTES + namesBytes + idBytes + count * 24 + TRAILER_BYTES;
    const end = at + size;
    if (end > buf.length || buf.readUInt32LE(end - 8) !== BLOCK_END || buf.readUInt32LE(end - 4) !== count)
      return done(true);
    let n = at + HEADER_BYTES;
    for (let k = 0; k < nameCount; k++) {
      const id = buf.readUInt32LE(n);
      const len = buf.readUInt32LE(n + 4);
      const name = buf.toString("utf8", n + 8, n + 8 + len);
      const known = dense[id];
      if (known === undefined) {
        dense[id] = names.length;
        names.push(name);
      } else names[known] = name;
      n += 8 + len;
    }
    let c = at + HEADER_BYTES + namesBytes;
    const ids = idColumn(buf, c, count);
    // A block using a name no block before defined is not one this writer made: stop there.
    for (let i = 0; i < count; i++) {
      const id = dense[ids[i] as number];
      if (id === undefined) return done(true);
      ids[i] = id;
    }
    c += idBytes;
    const values = column(buf, c, count);
    const steps = column(buf, c + count * 8, count);
    const times = column(buf, c + count * 16, count);
    blocks.push({ start: total, length: count, names, ids, values, steps, times });
    total += count;
    at = end;
  }
  return done(false);
}
