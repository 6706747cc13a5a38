import { closeSync, fstatSync, openSync, readSync, type Stats } from "node:fs";
import { NONBLOCKING_READ } from "../../../core/util/read-regular-file.js";
import { MAX_MANIFEST_BYTES } from "../manifest/manifest-types.js";

const CHUNK = 64 * 1024;
const NEEDLE = Buffer.from('"tracelet"');
// Searching for the tail is about twice as fast: `"` and `t` start too many JSON tokens.
const TAIL = Buffer.from('celet"');
const HEAD = Buffer.from('"tra');
// One read fills at most this much of the shared buffer, leaving room for a sentinel.
const READ = CHUNK - TAIL.length;
const buffer = Buffer.allocUnsafe(CHUNK);

/**
 * Whether raw package.json bytes contain the key `"tracelet"` (or the same text elsewhere;
 * parsing decides).
 *
 * @param bytes - the file's bytes
 * @returns true when `"tracelet"` occurs
 */
export function mentionsTracelet(bytes: Buffer): boolean {
  for (let i = bytes.indexOf(TAIL); i !== -1; i = bytes.indexOf(TAIL, i + 1)) {
    if (i >= HEAD.length && bytes.compare(HEAD, 0, HEAD.length, i - HEAD.length, i) === 0) return true;
  }
  return false;
}

/**
 * {@link mentionsTracelet} over `bytes[0, end)` without making a view of it: a copy of the
 * tail written at `end` stops the search there (the tail has no prefix that is also its
 * suffix, so no match can straddle `end`). Whatever lies beyond is never looked at.
 *
 * @param bytes - a buffer with at least 6 writable bytes after `end`
 * @param end - where the file's bytes end
 * @returns true when `"tracelet"` occurs before `end`
 */
export function mentionsTraceletBefore(bytes: Buffer, end: number): boolean {
  TAIL.copy(bytes, end);
  for (let i = bytes.indexOf(TAIL); i < end; i = bytes.indexOf(TAIL, i + 1)) {
    if (i >= HEAD.length && bytes.compare(HEAD, 0, HEAD.length, i - HEAD.length, i) === 0) return true;
  }
  return false;
}

const ABSENT: PackageText = Object.freeze({ kind: "absent" });
const PLAIN: PackageText = Object.freeze({ kind: "plain" });

/** What {@link readPackageText} found in one package.json. */
export type PackageText =
  | { kind: "absent" }
  | { kind: "plain" }
  | { kind: "candidate"; text: string }
  | { kind: "too-large"; size: number };

/**
 * Reads a package.json the cheap way: one shared buffer, no decoding, no parsing, unless the
 * raw bytes contain `"tracelet"`. Anything unreadable (missing, a directory, a FIFO, no
 * permission) counts as absent: such a directory is not a package Tracelet can use.
 *
 * @param file - path of the package.json
 * @returns absent, plain (no `"tracelet"` key), or the candidate's text (or size, when too large)
 */
export function readPackageText(file: string): PackageText {
  let fd: number;
  try {
    fd = openSync(file, NONBLOCKING_READ);
  } catch {
    return ABSENT;
  }
  try {
    const n = readSync(fd, buffer, 0, READ, 0);
    if (n < READ) {
      if (!mentionsTraceletBefore(buffer, n)) return PLAIN;
      return { kind: "candidate", text: buffer.toString("utf8", 0, n) };
    }
    // Larger than one chunk: read it whole, but never more than the manifest limit.
    const stats = fstatSync(fd);
    if (!stats.isFile()) return ABSENT;
    if (stats.size > MAX_MANIFEST_BYTES) {
      return scanLarge(fd, stats);
    }
    const whole = Buffer.allocUnsafe(stats.size);
    let total = 0;
    while (total < stats.size) {
      const got = readSync(fd, whole, total, stats.size - total, total);
      if (got === 0) break;
      total += got;
    }
    const bytes = whole.subarray(0, total);
    if (!mentionsTracelet(bytes)) return PLAIN;
    return { kind: "candidate", text: bytes.toString("utf8") };
  } catch {
    return ABSENT;
  } finally {
    closeSync(fd);
  }
}

// An over-large package.json is a problem only if it claims to be a plugin: look for the key
// chunk by chunk without keeping the file in memory.
function scanLarge(fd: number, stats: Stats): PackageText {
  for (let position = 0; ; ) {
    const n = readSync(fd, buffer, 0, CHUNK, position);
    if (buffer.subarray(0, n).indexOf(NEEDLE) !== -1) return { kind: "too-large", size: stats.size };
    if (n < CHUNK) return PLAIN;
    // Step back a little so a key split across two chunks is still seen.
    position += n - NEEDLE.length;
  }
}
