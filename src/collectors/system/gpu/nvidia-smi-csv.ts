import { SYSTEM_PREFIX } from "../names.js";

/**
 * The fields asked of `nvidia-smi --query-gpu`, in order. `name` comes last because it is free
 * text: whatever follows the last numeric column is the name, commas included.
 */
export const GPU_QUERY_FIELDS = [
  "index",
  "uuid",
  "utilization.gpu",
  "utilization.memory",
  "memory.used",
  "memory.total",
  "temperature.gpu",
  "power.draw",
  "power.limit",
  "clocks.sm",
  "clocks.mem",
  "fan.speed",
  "name",
] as const;

// Metric suffix of each numeric field (index 2 to 11), with its unit.
const METRICS: ReadonlyArray<readonly [number, string]> = [
  [2, "utilization_percentage"],
  [3, "memory_utilization_percentage"],
  [4, "memory_used_megabytes"],
  [5, "memory_total_megabytes"],
  [6, "temperature_celsius"],
  [7, "power_watts"],
  [8, "power_limit_watts"],
  [9, "sm_clock_megahertz"],
  [10, "memory_clock_megahertz"],
  [11, "fan_speed_percentage"],
];

/** One parsed row: one GPU at one instant. */
export interface GpuRow {
  /** The GPU's index as nvidia-smi numbers it. */
  index: number;
  /** The GPU's UUID. */
  uuid: string;
  /** The product name. */
  name: string;
  /** Values by metric name (`system/gpu_<index>_…`); a field nvidia-smi did not give is absent. */
  values: Record<string, number>;
}

/**
 * The value of one CSV cell: a number, or `undefined` for `[N/A]`, `[Not Supported]`,
 * `[Unknown Error]`, `N/A` or anything else that is not a number. `0` stays 0.
 *
 * @param cell - the trimmed cell
 * @returns the number or undefined
 */
export function cellValue(cell: string | undefined): number | undefined {
  if (cell === undefined || cell === "" || cell.startsWith("[") || cell === "N/A") return undefined;
  const value = Number(cell);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * Parses one line of `nvidia-smi --query-gpu=<GPU_QUERY_FIELDS> --format=csv,noheader,nounits`.
 * Adds `memory_usage_percentage` (used / total) when both are known.
 *
 * @param line - one output line
 * @returns the row, or undefined for a line that is not a GPU row (a message, a blank line)
 */
export function parseGpuLine(line: string): GpuRow | undefined {
  const cells = line.split(",").map((c) => c.trim());
  if (cells.length < GPU_QUERY_FIELDS.length) return undefined;
  const index = Number(cells[0]);
  if (!Number.isInteger(index) || cells[0] === "") return undefined;
  const prefix = `${SYSTEM_PREFIX}gpu_${index}_`;
  const values: Record<string, number> = {};
  for (const [column, suffix] of METRICS) {
    const value = cellValue(cells[column]);
    if (value !== undefined) values[prefix + suffix] = value;
  }
  const used = values[`${prefix}memory_used_megabytes`];
  const total = values[`${prefix}memory_total_megabytes`];
  if (used !== undefined && total !== undefined && total > 0)
    values[`${prefix}memory_usage_percentage`] = (used / total) * 100;
  const name = cells.slice(GPU_QUERY_FIELDS.length - 1).join(", ");
  return { index, uuid: cells[1], name, values };
}

/**
 * Splits a chunk of output into complete lines, keeping the unfinished tail.
 *
 * @param pending - the unfinished tail of the previous chunk
 * @param chunk - new output
 * @returns complete lines and the new tail
 */
export function splitLines(pending: string, chunk: string): { lines: string[]; rest: string } {
  const text = pending + chunk;
  const lines = text.split("\n");
  const rest = lines.pop() ?? "";
  return { lines: lines.map((l) => l.replace(/\r$/, "")).filter((l) => l.length > 0), rest };
}
