import { type FSWatcher, statfsSync, watch } from "node:fs";

/**
 * File systems whose change notifications (inotify) see every change, local or not: those of a
 * local disk or memory. On a network file system (NFS, SMB, FUSE mounts, Lustre...) a change made
 * by another host is never notified, so run directories there are checked with a `stat` each time.
 */
const LOCAL_FS = new Set([
  0xef53, // ext2/3/4
  0x58465342, // xfs
  0x9123683e, // btrfs
  0x01021994, // tmpfs
  0x794c7630, // overlayfs
  0x2fc12fc1, // zfs
  0xf2f52010, // f2fs
  0xca451a4e, // bcachefs
]);

/**
 * How long a run directory is trusted on the word of its watcher alone: past this, a listing
 * checks it with a `stat` again, so a notification lost (a full inotify queue) costs at most this
 * much staleness, ms.
 */
export const WATCH_RECHECK_MS = 10_000;

/**
 * Which run directories changed since a listing last checked them, from change notifications:
 * a long-lived reader (`tracelet ui`) then lists an unchanged run without a system call. Only on
 * Linux and a local file system (see {@link LOCAL_FS}); elsewhere, or when a watch cannot be set
 * (the inotify watch limit), {@link DirWatch.quiet} is always false and every directory is
 * checked with a `stat`.
 */
export class DirWatch {
  private readonly watchers = new Map<string, FSWatcher>();
  /** When each watched directory was last checked with a `stat` (and nothing was notified since). */
  private readonly checkedAt = new Map<string, number>();
  readonly enabled: boolean;
  /** Counts notifications and watches set or dropped: unchanged, nothing happened to a watched directory. */
  epoch = 0;

  /** @param root - the runs directory: watching is enabled when it is on a local file system */
  constructor(root: string) {
    let local = false;
    try {
      local = process.platform === "linux" && LOCAL_FS.has(Number(statfsSync(root).type));
    } catch {}
    this.enabled = local;
  }

  /**
   * Whether a directory is watched, nothing was notified since it was last checked, and that
   * check is under {@link WATCH_RECHECK_MS} old.
   *
   * @param dir - the run directory
   * @returns true when its last reading can be used without a `stat`
   */
  quiet(dir: string): boolean {
    const at = this.checkedAt.get(dir);
    return at !== undefined && Date.now() - at < WATCH_RECHECK_MS;
  }

  /**
   * Until when every one of some directories stays quiet, if no notification comes.
   *
   * @param dirs - the directories
   * @returns the time (ms), or 0 when one of them is not quiet now
   */
  quietUntil(dirs: Iterable<string>): number {
    let until = Number.POSITIVE_INFINITY;
    for (const dir of dirs) {
      const at = this.checkedAt.get(dir);
      if (at === undefined) return 0;
      until = Math.min(until, at + WATCH_RECHECK_MS);
    }
    return until;
  }

  /**
   * Watches a directory (if not yet) and clears what was notified of it: call it before the
   * directory is checked and read, so a change made during the read is notified.
   *
   * @param dir - the run directory
   * @returns a function to call once the directory was checked and its reading is current
   */
  arm(dir: string): () => void {
    this.checkedAt.delete(dir);
    if (!this.enabled) return () => undefined;
    if (!this.watchers.has(dir)) {
      try {
        // A rename may be of the directory itself (deleted, replaced by another of the same
        // name, whose changes this watch would not see): the next check watches it anew.
        const w = watch(dir, { persistent: false }, (event) => {
          this.epoch++;
          if (event === "rename") this.forget(dir);
          else this.checkedAt.delete(dir);
        });
        w.on("error", () => this.forget(dir));
        this.watchers.set(dir, w);
        this.epoch++;
      } catch {
        return () => undefined;
      }
    }
    // Notifications come from the event loop, never during the synchronous check and reads
    // that follow: one about a change made meanwhile arrives after `done` and clears it again.
    const armedAt = Date.now();
    return () => {
      if (this.watchers.has(dir)) this.checkedAt.set(dir, armedAt);
    };
  }

  /**
   * Stops watching a directory (a run no longer listed).
   *
   * @param dir - the run directory
   */
  forget(dir: string): void {
    this.epoch++;
    this.watchers.get(dir)?.close();
    this.watchers.delete(dir);
    this.checkedAt.delete(dir);
  }
}
