import { closeSync, fstatSync, openSync, readSync } from "node:fs";

/** One file inside a zip archive, as its central directory lists it. */
interface ZipEntry {
  /** Offset of its local header. */
  offset: number;
  /** 0 (stored) or 8 (deflated). */
  method: number;
  /** Size as stored. */
  compressedSize: number;
  /** Size once inflated. */
  size: number;
}

const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
// The end record is 22 bytes, followed by a comment of at most 65,535.
const TAIL = 22 + 0xffff;

// Central directories already read in this process (an archive is never rewritten in place by
// Yarn: a new version gets a new file name).
const directories = new Map<string, Map<string, ZipEntry> | undefined>();

function readAt(fd: number, length: number, position: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let total = 0;
  while (total < length) {
    const n = readSync(fd, buffer, total, length - total, position + total);
    if (n === 0) break;
    total += n;
  }
  return buffer.subarray(0, total);
}

function readDirectory(fd: number): Map<string, ZipEntry> | undefined {
  const size = fstatSync(fd).size;
  const tailLength = Math.min(size, TAIL);
  const tail = readAt(fd, tailLength, size - tailLength);
  let end = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === END_OF_DIRECTORY) {
      end = i;
      break;
    }
  }
  if (end === -1) return undefined;
  const directorySize = tail.readUInt32LE(end + 12);
  const directoryOffset = tail.readUInt32LE(end + 16);
  if (directoryOffset + directorySize > size) return undefined;
  const directory = readAt(fd, directorySize, directoryOffset);
  const entries = new Map<string, ZipEntry>();
  for (let p = 0; p + 46 <= directory.length && directory.readUInt32LE(p) === DIRECTORY_ENTRY; ) {
    const nameLength = directory.readUInt16LE(p + 28);
    const extraLength = directory.readUInt16LE(p + 30);
    const commentLength = directory.readUInt16LE(p + 32);
    const name = directory.toString("utf8", p + 46, p + 46 + nameLength);
    entries.set(name, {
      method: directory.readUInt16LE(p + 10),
      compressedSize: directory.readUInt32LE(p + 20),
      size: directory.readUInt32LE(p + 24),
      offset: directory.readUInt32LE(p + 42),
    });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/**
 * Splits a path that runs through a zip archive (`/p/.yarn/cache/x.zip/node_modules/x/a.js`,
 * as Yarn Plug'n'Play locates packages) into the archive and the path inside it.
 *
 * @param path - an absolute path
 * @returns the archive and the inner path, or undefined when the path is a plain one
 * @example
 * ```ts
 * zipPathOf("/p/c/x.zip/node_modules/x/package.json"); // { archive: "/p/c/x.zip", inner: "node_modules/x/package.json" }
 * ```
 */
export function zipPathOf(path: string): { archive: string; inner: string } | undefined {
  const at = path.indexOf(".zip/");
  if (at === -1) return undefined;
  return { archive: path.slice(0, at + 4), inner: path.slice(at + 5) };
}

/**
 * Reads one file out of a zip archive from its central directory, without unpacking anything
 * else and without running anything (stored and deflated entries; no zip64).
 *
 * @param archive - path of the zip file
 * @param inner - the file's path inside it (`/`-separated, no leading `/`)
 * @param limit - the largest inflated size accepted
 * @returns the bytes, `"too-large"` beyond `limit`, or undefined when the archive or the file cannot be read
 */
export function readZipFile(archive: string, inner: string, limit: number): Buffer | "too-large" | undefined {
  let fd: number;
  try {
    fd = openSync(archive, "r");
  } catch {
    return undefined;
  }
  try {
    let directory = directories.get(archive);
    if (!directories.has(archive)) {
      directory = readDirectory(fd);
      directories.set(archive, directory);
    }
    const entry = directory?.get(inner);
    if (!entry) return undefined;
    if (entry.size > limit) return "too-large";
    const header = readAt(fd, 30, entry.offset);
    if (header.length < 30 || header.readUInt32LE(0) !== LOCAL_HEADER) return undefined;
    const start = entry.offset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
    const data = readAt(fd, entry.compressedSize, start);
    if (entry.method === 0) return data;
    // zlib loads only for Plug'n'Play's archives: loading it costs every other scan a few ms.
    const { inflateRawSync } = process.getBuiltinModule("node:zlib");
    if (entry.method === 8) return inflateRawSync(data, { maxOutputLength: Math.max(limit, 1) });
    return undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
