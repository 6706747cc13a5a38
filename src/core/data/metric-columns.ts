import type { MetricColumns, MetricRecord } from "../types.js";

/** Bytes one point takes in columns: a name id (4), value, step and timestamp (8 each). */
export const POINT_BYTES = 28;

const SMALL = 2 ** 30;

// The last frozen copy made of each name table. Tables only ever grow (ids are never reused), so
// a copy stays right for every point logged before it was made and is only remade after a new
// name: one copy per new name at most, shared by every backend, instead of one per delivery.
const snapshots = new WeakMap<readonly string[], readonly string[]>();

/**
 * A frozen copy of a name table, as {@link MetricColumns.names}: shared by every backend, none
 * can change what another one (or the engine's own table) holds.
 *
 * @param table - names by id (only ever appended to)
 * @returns a frozen array with the same names
 */
export function frozenNames(table: readonly string[]): readonly string[] {
  if (Object.isFrozen(table)) return table;
  const known = snapshots.get(table);
  if (known !== undefined && known.length === table.length) return known;
  const copy = Object.freeze(table.slice());
  snapshots.set(table, copy);
  return copy;
}

/**
 * Fresh columns of `length` points over one allocation (the doubles first, so each stays 8-byte
 * aligned). Not zeroed: the caller writes every point it lets anyone read (a copy writes them
 * all; a chunk of the hot path only ever exposes its first `length`).
 *
 * @param length - points
 * @param names - the name table (frozen by the caller when the columns go to a backend)
 * @returns columns to fill
 */
export function allocColumns(length: number, names: readonly string[]): MetricColumns {
  // A buffer of its own (never a slice of Node's shared pool), at offset 0: aligned.
  const buffer = Buffer.allocUnsafeSlow(length * POINT_BYTES).buffer;
  return {
    names,
    values: new Float64Array(buffer, 0, length),
    steps: new Float64Array(buffer, length * 8, length),
    times: new Float64Array(buffer, length * 16, length),
    ids: new Int32Array(buffer, length * 24, length),
    length,
  };
}

/**
 * Copies points `[from, to)` of `src` into `dst` at `at` (four `memcpy`s).
 *
 * @param dst - columns to write into
 * @param at - first index in `dst`
 * @param src - columns to read (ids refer to the same name table)
 * @param from - first index in `src`
 * @param to - end index in `src`, exclusive
 */
export function copyInto(dst: MetricColumns, at: number, src: MetricColumns, from: number, to: number): void {
  dst.ids.set(src.ids.subarray(from, to), at);
  dst.values.set(src.values.subarray(from, to), at);
  dst.steps.set(src.steps.subarray(from, to), at);
  dst.times.set(src.times.subarray(from, to), at);
}

/**
 * A backend's own copy of points `[from, to)`: fresh typed arrays (about 28 bytes per point
 * copied, no object per point), with a frozen name table, so that whoever receives them cannot
 * change what another backend receives.
 *
 * @param src - the columns (a chunk, a spool block)
 * @param from - first index (default 0)
 * @param to - end index, exclusive (default the length)
 * @returns the copy
 */
export function copyColumns(src: MetricColumns, from = 0, to = src.length): MetricColumns {
  const out = allocColumns(to - from, frozenNames(src.names));
  copyInto(out, 0, src, from, to);
  return out;
}

/**
 * Makes records of points `[from, to)`: a fresh array of fresh objects, so that whoever receives
 * them cannot change what another backend receives.
 *
 * @param src - the columns
 * @param from - first index (default 0)
 * @param to - end index, exclusive (default the length)
 * @returns the points, in order
 */
export function recordsOf(src: MetricColumns, from = 0, to = src.length): MetricRecord[] {
  const { ids, values, steps, times, names } = src;
  const out: MetricRecord[] = new Array(to - from);
  for (let i = from; i < to; i++) {
    // Steps below 2^30 become small integers, which V8 formats and compares faster.
    const step = steps[i];
    out[i - from] = {
      name: names[ids[i]] as string,
      value: values[i],
      step: step < SMALL ? step | 0 : step,
      timestamp: times[i],
    };
  }
  return out;
}

/**
 * Puts records in columns (a batch that did not come from the engine's chunks: a backend's own
 * `logMetric`, a hand-made batch), each name interned once.
 *
 * @param records - the points, in order
 * @returns columns with a frozen name table of their own
 */
export function columnsOf(records: readonly MetricRecord[]): MetricColumns {
  const names: string[] = [];
  const out = allocColumns(records.length, names);
  const { ids, values, steps, times } = out;
  let lastName: string | undefined;
  let lastId = -1;
  let index: Map<string, number> | undefined;
  for (let i = 0; i < records.length; i++) {
    const p = records[i] as MetricRecord;
    if (p.name !== lastName || lastId < 0) {
      lastName = p.name;
      // A batch of one or two names (a single point, mostly) needs no map.
      lastId = names.length < 4 ? names.indexOf(p.name) : (index?.get(p.name) ?? -1);
      if (lastId < 0) {
        lastId = names.length;
        names.push(p.name);
        if (names.length === 4) index = new Map(names.map((n, k) => [n, k]));
        else index?.set(p.name, lastId);
      }
    }
    ids[i] = lastId;
    values[i] = p.value;
    steps[i] = p.step;
    times[i] = p.timestamp;
  }
  Object.freeze(names);
  return out;
}

/**
 * Tells columns from records.
 *
 * @param batch - a batch in either form
 * @returns whether it is columns
 */
export function isColumns(batch: readonly MetricRecord[] | MetricColumns): batch is MetricColumns {
  return !Array.isArray(batch);
}

/**
 * What a columns reader keeps per name (an encoded prefix, a summary's tracker), by name id, for
 * the name table of the columns it last read: columns of one run share their table, so a name is
 * looked up by string once, not once per point; columns with another table start afresh.
 */
export class NameIdCache<T> {
  private table: readonly string[] | undefined;
  private byId: (T | undefined)[] = [];

  /**
   * The entries for a table, by id (empty when it is not the table of the last call). The
   * caller fills the holes.
   *
   * @param names - the columns' name table
   * @returns the entries, indexed by name id
   */
  for(names: readonly string[]): (T | undefined)[] {
    if (names !== this.table) {
      this.table = names;
      this.byId = [];
    }
    return this.byId;
  }
}
