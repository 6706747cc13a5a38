import { statfs } from "node:fs/promises";
import { label, SYSTEM_PREFIX, toMegabytes } from "./names.js";

/**
 * Adds the file system usage of each path (through `statfs`, asynchronous): used and
 * available megabytes and the used percentage as `df` computes it (used / (used + available),
 * blocks reserved for root excluded). `/` gets `system/disk_*`; other paths
 * `system/disk_<label>_*`. A path that cannot be read is skipped.
 *
 * @param paths - the paths
 * @param out - receives the values
 */
export async function addDiskUsage(paths: readonly string[], out: Record<string, number>): Promise<void> {
  const results = await Promise.all(paths.map((p) => statfs(p).catch(() => undefined)));
  results.forEach((s, i) => {
    if (!s) return;
    const prefix = paths[i] === "/" ? `${SYSTEM_PREFIX}disk_` : `${SYSTEM_PREFIX}disk_${label(paths[i])}_`;
    const used = (s.blocks - s.bfree) * s.bsize;
    const available = s.bavail * s.bsize;
    out[`${prefix}used_megabytes`] = toMegabytes(used);
    out[`${prefix}available_megabytes`] = toMegabytes(available);
    out[`${prefix}total_megabytes`] = toMegabytes(s.blocks * s.bsize);
    if (used + available > 0) out[`${prefix}usage_percentage`] = (used / (used + available)) * 100;
  });
}
