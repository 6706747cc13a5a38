import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { signatureAt } from "./file-signature.js";
import { readZipFile, zipPathOf } from "./zip-archive.js";

// O_NONBLOCK: a FIFO in place of a file must not block discovery.
const FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/**
 * Reads a file of an installed package, wherever it lies: on disk, or inside a zip archive
 * (Yarn Plug'n'Play's cache). Nothing is executed.
 *
 * @param path - absolute path (possibly through a `.zip`)
 * @param limit - the largest size accepted, in bytes
 * @returns the bytes, `"too-large"` beyond `limit`, or undefined when there is no readable file
 */
export function readPackageFile(path: string, limit: number): Buffer | "too-large" | undefined {
  const zipped = zipPathOf(path);
  if (zipped) return readZipFile(zipped.archive, zipped.inner, limit);
  let fd: number;
  try {
    fd = openSync(path, FLAGS);
  } catch {
    return undefined;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return undefined;
    if (stats.size > limit) return "too-large";
    const buffer = Buffer.allocUnsafe(stats.size);
    let total = 0;
    while (total < stats.size) {
      const n = readSync(fd, buffer, total, stats.size - total, total);
      if (n === 0) break;
      total += n;
    }
    return buffer.subarray(0, total);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * The signature of a package file for the cache: the file's own, or its archive's when it lies
 * inside a zip (an archive's content never changes without the archive changing).
 *
 * @param path - absolute path (possibly through a `.zip`)
 * @returns the path whose signature is kept, and that signature
 */
export function packageFileSignature(path: string): [string, string] {
  const file = zipPathOf(path)?.archive ?? path;
  return [file, signatureAt(file)];
}
