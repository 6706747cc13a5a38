import type { MetricRecord } from "../../core/types.js";

/**
 * One line of `metrics.jsonl`. Non-finite values are written as the strings `"NaN"`,
 * `"Infinity"` and `"-Infinity"`, never as `null`.
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
 * Encodes points as JSON Lines text (one line each, `\n`-terminated).
 *
 * @param batch - the points
 * @returns the text
 */
export function encodeBatch(batch: readonly MetricRecord[]): string {
  let out = "";
  for (const p of batch) {
    const v = Number.isFinite(p.value) ? String(p.value) : JSON.stringify(encodeValue(p.value));
    out += `{"name":${JSON.stringify(p.name)},"value":${v},"step":${p.step},"timestamp":${p.timestamp}}\n`;
  }
  return out;
}
