import { type Stats, statSync } from "node:fs";

/**
 * A short identity of a file or directory's current state: inode, mtime, ctime and size.
 * Any write, rename into place or entry added/removed (for a directory) changes it.
 *
 * @param stats - the stats
 * @returns the signature
 */
export function signatureOf(stats: Stats): string {
  return `${stats.ino}:${stats.mtimeMs}:${stats.ctimeMs}:${stats.size}`;
}

/**
 * The signature of a path now, or `"-"` when it does not exist (so creating it is noticed).
 *
 * @param path - file or directory
 * @returns the signature
 */
export function signatureAt(path: string): string {
  try {
    const stats = statSync(path, { throwIfNoEntry: false });
    return stats ? signatureOf(stats) : "-";
  } catch {
    return "!";
  }
}
