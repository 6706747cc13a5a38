import { type StatsFs, statfsSync } from "node:fs";
import { statfs } from "node:fs/promises";
import { label, SYSTEM_PREFIX, toMegabytes } from "./names.js";

/**
 * Linux `statfs` magic numbers of file systems whose `statfs` answers from memory: ext2/3/4,
 * xfs, btrfs, tmpfs, overlayfs, zfs, f2fs, ramfs, squashfs, vfat, exFAT, NTFS, jfs, reiserfs,
 * bcachefs, HFS+, ISO 9660, nilfs, erofs. Network and FUSE file systems (NFS, SMB, sshfs…),
 * whose `statfs` can hang on a dead server, are not listed and stay off the event loop.
 */
export const LOCAL_FILE_SYSTEMS: ReadonlySet<number> = new Set([
  0xef53, 0x58465342, 0x9123683e, 0x01021994, 0x794c7630, 0x2fc12fc1, 0xf2f52010, 0x858458f6, 0x73717368, 0x4d44,
  0x2011bab0, 0x5346544e, 0x3153464a, 0x52654973, 0xca451a4e, 0x482b, 0x9660, 0x3434, 0xe0f5e1e2,
]);

interface DiskPath {
  path: string;
  used: string;
  available: string;
  total: string;
  usage: string;
  /** Whether the last `statfs` of the path named a local file system. */
  local: boolean;
}

/**
 * The file system usage of a list of paths: used and available megabytes and the used
 * percentage as `df` computes it (used / (used + available), blocks reserved for root
 * excluded). `/` gets `system/disk_*`; other paths `system/disk_<label>_*`. A path that cannot
 * be read is skipped.
 *
 * A path on a local file system ({@link LOCAL_FILE_SYSTEMS}) is read with `statfsSync`, which
 * costs microseconds, less than a round trip through the libuv thread pool; any other path,
 * and every path the first time, through the asynchronous `statfs`. The choice follows each
 * reading, so a path that becomes a network mount goes back to the thread pool.
 */
export class DiskUsage {
  private readonly paths: DiskPath[];

  /** @param paths - the paths */
  constructor(paths: readonly string[]) {
    this.paths = paths.map((path) => {
      const prefix = path === "/" ? `${SYSTEM_PREFIX}disk_` : `${SYSTEM_PREFIX}disk_${label(path)}_`;
      return {
        path,
        used: `${prefix}used_megabytes`,
        available: `${prefix}available_megabytes`,
        total: `${prefix}total_megabytes`,
        usage: `${prefix}usage_percentage`,
        local: false,
      };
    });
  }

  /**
   * Adds the usage of every path.
   *
   * @param out - receives the values
   * @returns a promise when some path is read asynchronously, else undefined (all added already)
   */
  add(out: Record<string, number>): Promise<void> | undefined {
    let pending: Promise<void>[] | undefined;
    for (const p of this.paths) {
      if (p.local) {
        let s: StatsFs | undefined;
        try {
          s = statfsSync(p.path);
        } catch {
          // Gone or unreadable now: skipped, and read asynchronously from now on.
          p.local = false;
        }
        if (s) this.put(out, p, s);
      } else {
        const read = statfs(p.path).then(
          (s) => this.put(out, p, s),
          () => undefined,
        );
        if (pending) pending.push(read);
        else pending = [read];
      }
    }
    return pending && Promise.all(pending).then(() => undefined);
  }

  private put(out: Record<string, number>, p: DiskPath, s: StatsFs): void {
    p.local = LOCAL_FILE_SYSTEMS.has(s.type);
    const used = (s.blocks - s.bfree) * s.bsize;
    const available = s.bavail * s.bsize;
    out[p.used] = toMegabytes(used);
    out[p.available] = toMegabytes(available);
    out[p.total] = toMegabytes(s.blocks * s.bsize);
    if (used + available > 0) out[p.usage] = (used / (used + available)) * 100;
  }
}
