import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";

/**
 * Flags to open a file for reading without ever blocking: a FIFO where a file should be must
 * not freeze the process (`O_NONBLOCK`; its content is then refused as not a regular file).
 */
export const NONBLOCKING_READ = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** What {@link readRegularFile} found. */
export type BoundedText = { kind: "absent" } | { kind: "too-large"; size: number } | { kind: "text"; text: string };

const NOTHING: BoundedText = Object.freeze({ kind: "absent" });

/**
 * Reads a whole file that the user or a package controls (a package.json, a schema file):
 * opened without blocking (a FIFO must not freeze the process), only a regular file (not
 * `/dev/zero`, a socket or a directory, also behind a symlink), and never more than `maxBytes`
 * (a file that grows while read is cut off there, and reported too large).
 *
 * @param file - the path
 * @param maxBytes - the size cap, in bytes
 * @returns absent (missing, unreadable, not a regular file), too-large, or the text
 * @example
 * ```ts
 * const read = readRegularFile("package.json", 512 * 1024);
 * if (read.kind === "text") JSON.parse(read.text);
 * ```
 */
export function readRegularFile(file: string, maxBytes: number): BoundedText {
  let fd: number;
  try {
    fd = openSync(file, NONBLOCKING_READ);
  } catch {
    return NOTHING;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return NOTHING;
    if (stats.size > maxBytes) return { kind: "too-large", size: stats.size };
    // One byte more than the cap tells a file that grew past it from one that fits exactly.
    const whole = Buffer.allocUnsafe(maxBytes + 1);
    let total = 0;
    for (let got = 1; got > 0 && total <= maxBytes; total += got) {
      got = readSync(fd, whole, total, maxBytes + 1 - total, total);
    }
    if (total > maxBytes) return { kind: "too-large", size: total };
    return { kind: "text", text: whole.toString("utf8", 0, total) };
  } catch {
    return NOTHING;
  } finally {
    closeSync(fd);
  }
}
