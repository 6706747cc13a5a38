import { type BoundedText, readRegularFile } from "../../../core/util/read-regular-file.js";
import { type Signature, signatureAt } from "./file-signature.js";
import { readZipFile, zipPathOf } from "./zip-archive.js";

/**
 * Reads a file of an installed package as text, wherever it lies: on disk (with the scan's
 * guards, see `readRegularFile`), or inside a zip archive (Yarn Plug'n'Play's cache). Nothing is
 * executed.
 *
 * @param path - absolute path (possibly through a `.zip`)
 * @param limit - the largest size accepted, in bytes
 * @returns absent (missing, unreadable, not a regular file), too-large, or the text
 */
export function readPackageFile(path: string, limit: number): BoundedText {
  const zipped = zipPathOf(path);
  if (!zipped) return readRegularFile(path, limit);
  const bytes = readZipFile(zipped.archive, zipped.inner, limit);
  if (bytes === undefined) return { kind: "absent" };
  if (bytes === "too-large") return { kind: "too-large", size: limit + 1 };
  return { kind: "text", text: bytes.toString("utf8") };
}

/**
 * The signature of a package file for the cache: the file's own, or its archive's when it lies
 * inside a zip (an archive's content never changes without the archive changing).
 *
 * @param path - absolute path (possibly through a `.zip`)
 * @returns the path whose signature is kept, and that signature
 */
export function packageFileSignature(path: string): [string, Signature] {
  const file = zipPathOf(path)?.archive ?? path;
  return [file, signatureAt(file)];
}
