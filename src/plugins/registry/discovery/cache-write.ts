import { closeSync, fstatSync, futimesSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { CacheFile } from "./cache.js";

/** A cache file being written: its temporary file is created before the scan begins. */
export interface PendingCache {
  /** Where the cache goes. */
  file: string;
  /** The temporary file, renamed into place when written. */
  temporary: string;
  /** Its open descriptor. */
  fd: number;
  /** The file system's time just before the scan (from the temporary file's ctime). */
  stamp: number;
}

// The longest wait for the file system's clock to move past the temporary file's creation.
const TICK_WAIT_MS = 10;

// A file changed in the same clock tick as the stamp cannot be told apart from one changed
// just after it, so `stamp` counts as "changed". To keep that from rebuilding the cache once
// for every file written just before a scan, touch the file until its ctime moves past its
// creation time (at once where the kernel hands out fine-grained times, within a tick
// elsewhere), and use that later time. Anything changed before it preceded the scan.
function laterStamp(fd: number): number {
  const created = fstatSync(fd).ctimeMs;
  const until = performance.now() + TICK_WAIT_MS;
  let now = created;
  try {
    while (now <= created && performance.now() < until) {
      futimesSync(fd, 0, 0);
      now = fstatSync(fd).ctimeMs;
    }
  } catch {
    // A file system that cannot set times: the creation time is still a safe stamp.
  }
  return now;
}

/**
 * Creates the cache's temporary file before the scan and reads the file system's time from
 * it: every package.json changed after this moment has a ctime at least as late (the same
 * clock stamps both), which is how a warm start notices an in-place edit without having
 * recorded every file's signature.
 *
 * @param file - the cache path
 * @returns the pending write, or undefined when the cache cannot be written
 */
export function beginCache(file: string): PendingCache | undefined {
  try {
    mkdirSync(dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    const fd = openSync(temporary, "w");
    return { file, temporary, fd, stamp: laterStamp(fd) };
  } catch {
    return undefined; // read-only node_modules: run without a cache
  }
}

/**
 * Writes the cache and renames it into place; failures are ignored, a missing cache only
 * costs the next start a scan.
 *
 * @param pending - from {@link beginCache}
 * @param cache - the content
 */
export function finishCache(pending: PendingCache, cache: CacheFile): void {
  try {
    writeFileSync(pending.fd, JSON.stringify(cache));
    closeSync(pending.fd);
    renameSync(pending.temporary, pending.file);
  } catch {
    abandonCache(pending);
  }
}

/**
 * Drops a pending cache write (its temporary file).
 *
 * @param pending - from {@link beginCache}
 */
function abandonCache(pending: PendingCache): void {
  try {
    closeSync(pending.fd);
  } catch {
    // already closed
  }
  rmSync(pending.temporary, { force: true });
}
