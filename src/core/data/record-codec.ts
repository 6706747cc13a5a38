import type { MetricColumns, MetricRecord } from "../types.js";
import { columnsOf, NameIdCache } from "./metric-columns.js";

/**
 * One metric line as JSON Lines files hold it (`metrics.jsonl`, spool files). Non-finite values
 * are written as the strings `"NaN"`, `"Infinity"` and `"-Infinity"`, never as `null`; negative
 * zero as `-0` (JSON's own spelling, which `JSON.parse` reads back as -0).
 */
export interface MetricLine {
  /** Metric name. */
  name: string;
  /** Value, or its non-finite spelling. */
  value: number | "NaN" | "Infinity" | "-Infinity";
  /** Step. */
  step: number;
  /** Timestamp, ms since the epoch. */
  timestamp: number;
}

/**
 * Encodes a value for JSON: finite numbers as they are, non-finite ones spelled out.
 *
 * @param value - the value
 * @returns a JSON-safe value
 */
export function encodeValue(value: number): MetricLine["value"] {
  if (Number.isFinite(value)) return value;
  return Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
}

/**
 * Decodes a value written by {@link encodeValue}.
 *
 * @param value - the JSON value
 * @returns the number
 */
export function decodeValue(value: MetricLine["value"]): number {
  return typeof value === "number" ? value : Number(value);
}

/**
 * Encodes metric points as JSON Lines, from columns (records are put in columns first). Keeps
 * the JSON prefix of each name it has seen, so a name is escaped once per encoder rather than
 * once per point.
 *
 * @example
 * ```ts
 * new RecordEncoder().encode([{ name: "loss", value: 0.5, step: 1, timestamp: 0 }]);
 * // '{"name":"loss","value":0.5,"step":1,"timestamp":0}\n'
 * ```
 */
export class RecordEncoder {
  private readonly prefixes = new Map<string, NamePrefix>();
  private readonly maxNames: number;
  private readonly byName = new NameIdCache<NamePrefix>();
  /** UTF-8 length, in bytes, of the text the last encode call returned. */
  bytes = 0;

  /** @param maxNames - names whose prefix is remembered (default 65,536) */
  constructor(maxNames = 65_536) {
    this.maxNames = maxNames;
  }

  /**
   * Encodes records as `\n`-terminated JSON lines, in order (see {@link RecordEncoder.encodeColumns}).
   *
   * @param batch - the points
   * @param from - first index (default 0)
   * @param to - end index, exclusive (default the batch length)
   * @returns the text
   */
  encode(batch: readonly MetricRecord[], from = 0, to = batch.length): string {
    return this.encodeColumns(columnsOf(from === 0 && to === batch.length ? batch : batch.slice(from, to)));
  }

  /**
   * Encodes points `[from, to)` of columns as `\n`-terminated JSON lines, in order, and sets
   * {@link RecordEncoder.bytes} to the text's UTF-8 length (known from each name's prefix, so
   * that a writer need not measure the text again). The text is the same, byte for byte, as
   * for the same points as records.
   *
   * @param columns - the points
   * @param from - first index (default 0)
   * @param to - end index, exclusive (default the length)
   * @returns the text
   */
  encodeColumns(columns: MetricColumns, from = 0, to = columns.length): string {
    const { names, ids, values, steps, times } = columns;
    const byId = this.byName.for(names);
    let out = "";
    // Bytes beyond one per UTF-16 unit: only names outside ASCII have any (numbers never do).
    let extra = 0;
    // Neighbouring points mostly share their millisecond: format each timestamp once.
    let lastTimestamp = Number.NaN;
    let tail = "";
    let lastId = -1;
    let prefix: NamePrefix | undefined;
    for (let i = from; i < to; i++) {
      const v = values[i];
      const t = times[i];
      if (t !== lastTimestamp) {
        lastTimestamp = t;
        tail = `,"timestamp":${t}}\n`;
      }
      const id = ids[i];
      if (id !== lastId || prefix === undefined) {
        lastId = id;
        prefix = byId[id];
        if (prefix === undefined) {
          prefix = this.prefix(names[id] as string);
          byId[id] = prefix;
        }
      }
      extra += prefix.extra;
      // An integral step is formatted as a small integer (faster in V8, same digits; -0 is "0"
      // either way).
      const s = steps[i];
      const step = (s | 0) === s ? s | 0 : s;
      // `${-0}` is "0": negative zero is spelled out so that it reads back as -0.
      const text = v === 0 ? (Object.is(v, -0) ? "-0" : "0") : Number.isFinite(v) ? v : `"${encodeValue(v)}"`;
      out += `${prefix.text}${text},"step":${step}${tail}`;
    }
    this.bytes = out.length + extra;
    return out;
  }

  private prefix(name: string): NamePrefix {
    let prefix = this.prefixes.get(name);
    if (prefix === undefined) {
      const text = `{"name":${JSON.stringify(name)},"value":`;
      prefix = { text, extra: Buffer.byteLength(text) - text.length };
      if (this.prefixes.size >= this.maxNames) this.prefixes.clear();
      this.prefixes.set(name, prefix);
    }
    return prefix;
  }
}

// A name's line prefix, and how many more UTF-8 bytes than UTF-16 units it takes.
interface NamePrefix {
  text: string;
  extra: number;
}

/**
 * Parses one JSON line into a point, or returns `undefined` for a line that is not a whole
 * metric (a torn last line after a crash, or foreign text).
 *
 * @param line - one line, without its `\n`
 * @returns the point, or undefined
 */
export function decodeLine(line: string): MetricRecord | undefined {
  if (line === "") return undefined;
  let m: Partial<MetricLine>;
  try {
    m = JSON.parse(line) as Partial<MetricLine>;
  } catch {
    return undefined;
  }
  if (typeof m !== "object" || m === null || typeof m.name !== "string") return undefined;
  if (typeof m.step !== "number" || typeof m.timestamp !== "number") return undefined;
  if (typeof m.value !== "number" && m.value !== "NaN" && m.value !== "Infinity" && m.value !== "-Infinity")
    return undefined;
  return { name: m.name, value: decodeValue(m.value), step: m.step, timestamp: m.timestamp };
}

/**
 * Parses JSON Lines text into points, skipping lines that are not whole metrics.
 *
 * @param text - the text
 * @returns points in order and the count of skipped lines
 */
export function decodeText(text: string): { points: MetricRecord[]; skipped: number } {
  const points: MetricRecord[] = [];
  let skipped = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    if (line === "") continue;
    const point = decodeLine(line);
    if (point) points.push(point);
    else skipped++;
  }
  return { points, skipped };
}
