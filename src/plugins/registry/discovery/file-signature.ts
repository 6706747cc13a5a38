import { type Stats, statSync } from "node:fs";

/**
 * A short identity of a file or directory's current state: `[inode, mtime, ctime, size]`
 * (times in ms), `"-"` when it does not exist (so creating it is noticed), `"!"` when it
 * cannot be looked at. Any write, rename into place or entry added/removed (for a directory)
 * changes it. Numbers, not text: a warm start compares hundreds of them, and turning a
 * millisecond time into text costs more than the `stat` itself.
 */
export type Signature = [ino: number, mtimeMs: number, ctimeMs: number, size: number] | "-" | "!";

const NO_THROW = { throwIfNoEntry: false } as const;

/**
 * The signature of a file's stats.
 *
 * @param stats - the stats
 * @returns the signature
 */
export function signatureOf(stats: Stats): Signature {
  return [stats.ino, stats.mtimeMs, stats.ctimeMs, stats.size];
}

/**
 * The signature of a path now.
 *
 * @param path - file or directory
 * @returns the signature
 */
export function signatureAt(path: string): Signature {
  try {
    const stats = statSync(path, NO_THROW);
    return stats ? signatureOf(stats) : "-";
  } catch {
    return "!";
  }
}

/**
 * Whether two signatures are the same (either may come from a hand-edited cache file: anything
 * that is not a signature differs from everything).
 *
 * @param a - one signature
 * @param b - the other
 * @returns true when equal
 */
export function sameSignature(a: unknown, b: unknown): boolean {
  if (!Array.isArray(a) || !Array.isArray(b)) return a === b && (a === "-" || a === "!");
  return a.length === 4 && b.length === 4 && a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];
}

/**
 * Whether a path's signature is still `signature`: one `stat`, compared field by field without
 * building the current signature.
 *
 * @param path - file or directory
 * @param signature - what it was (possibly from a hand-edited cache file)
 * @returns true when unchanged
 */
export function signatureStill(path: string, signature: unknown): boolean {
  let stats: Stats | undefined;
  try {
    stats = statSync(path, NO_THROW);
  } catch {
    return signature === "!";
  }
  if (stats === undefined) return signature === "-";
  return (
    Array.isArray(signature) &&
    signature.length === 4 &&
    stats.ino === signature[0] &&
    stats.mtimeMs === signature[1] &&
    stats.ctimeMs === signature[2] &&
    stats.size === signature[3]
  );
}
