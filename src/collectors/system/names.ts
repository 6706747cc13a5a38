/** Prefix of every metric of the `system` collector. */
export const SYSTEM_PREFIX = "system/";

const MIB = 1024 * 1024;

/**
 * Bytes to megabytes (MiB, 2^20 bytes), the unit of every `_megabytes` metric.
 *
 * @param bytes - a size in bytes
 * @returns the size in MiB
 */
export function toMegabytes(bytes: number): number {
  return bytes / MIB;
}

/**
 * A label safe inside a metric name: `/` becomes `root`, other characters outside
 * `[a-zA-Z0-9.-]` become `_` (e.g. `/mnt/data` → `mnt_data`).
 *
 * @param raw - a path or device name
 * @returns the label
 */
export function label(raw: string): string {
  if (raw === "/") return "root";
  return raw.replace(/^\/+|\/+$/g, "").replace(/[^a-zA-Z0-9.-]+/g, "_") || "root";
}
