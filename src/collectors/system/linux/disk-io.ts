/** Cumulative bytes read and written. */
export interface IoCounters {
  /** Bytes read since boot. */
  read: number;
  /** Bytes written since boot. */
  written: number;
}

// Virtual or stacked devices: loop and RAM disks are not disks, and device-mapper / md arrays
// would count the same bytes twice (once on the array, once on its members).
const VIRTUAL = /^(loop|ram|zram|dm-|md|nbd|sr|fd)/;

/**
 * Chooses the whole disks to count from the names in `/sys/block` (partitions are not there).
 *
 * @param blockDevices - names listed in `/sys/block`
 * @returns the physical (or virtio) disks
 */
export function wholeDisks(blockDevices: readonly string[]): Set<string> {
  return new Set(blockDevices.filter((name) => !VIRTUAL.test(name)));
}

/**
 * Sums bytes read and written by the given disks from `/proc/diskstats` (sectors are always
 * 512 bytes there, whatever the device's sector size).
 *
 * @param text - content of `/proc/diskstats`
 * @param disks - device names to count
 * @returns cumulative counters
 */
export function parseDiskStats(text: string, disks: ReadonlySet<string>): IoCounters {
  let read = 0;
  let written = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    // Cheap test first: split only the lines of counted disks.
    const line = text.slice(start, end);
    start = end + 1;
    const nameAt = line.search(/[^\s\d]/);
    if (nameAt < 0) continue;
    const nameEnd = line.indexOf(" ", nameAt);
    if (!disks.has(line.slice(nameAt, nameEnd < 0 ? undefined : nameEnd))) continue;
    const fields = line.slice(nameAt).split(/\s+/);
    read += Number(fields[3]) * 512;
    written += Number(fields[7]) * 512;
  }
  return { read, written };
}
