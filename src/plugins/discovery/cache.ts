import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { PackageEntry } from "../compat/check-shape.js";
import { signatureAt } from "./file-signature.js";

/** Format tag of the cache file; a file with another tag is foreign and ignored. */
export const CACHE_FORMAT = "tracelet-discovery-cache/1";

/** Lockfiles (and package managers' hidden state files) whose change means an install happened. */
export const LOCKFILES = [
  "package-lock.json",
  "npm-shrinkwrap.json",
  "yarn.lock",
  "pnpm-lock.yaml",
  "bun.lock",
  "bun.lockb",
  "node_modules/.package-lock.json",
  "node_modules/.modules.yaml",
  "node_modules/.yarn-integrity",
  "node_modules/.yarn-state.yml",
];

/**
 * What a cache is valid for: Tracelet's version, the places scanned, the host package.json
 * and the lockfiles. Any difference and the cache is rebuilt.
 */
export interface CacheKey {
  /** `TRACELET_VERSION`. */
  version: string;
  /** The project root. */
  root: string;
  /** User-level locations scanned. */
  userDirs: string[];
  /** Signatures of the host package.json and of each lockfile. */
  files: Record<string, string>;
}

/** The cache file's content. */
export interface CacheFile {
  /** {@link CACHE_FORMAT}. */
  format: string;
  /** What it is valid for. */
  key: CacheKey;
  /** Signature of every directory listed by the scan (or looked for and absent). */
  dirs: Record<string, string>;
  /** Signature of every package.json that mentions `"tracelet"`. */
  manifests: Record<string, string>;
  /** Shape-checked plugin packages. */
  entries: PackageEntry[];
  /** How many package directories the scan looked at. */
  packagesSeen: number;
}

/**
 * Builds the key of a project's cache from the current state of its files.
 *
 * @param version - Tracelet's version
 * @param root - the project root
 * @param userDirs - user-level locations
 * @returns the key
 */
export function cacheKeyOf(version: string, root: string, userDirs: string[]): CacheKey {
  const files: Record<string, string> = { "package.json": signatureAt(join(root, "package.json")) };
  for (const name of LOCKFILES) files[name] = signatureAt(join(root, name));
  return { version, root, userDirs, files };
}

/**
 * Reads the cache and checks it is still true: same format and key, and every directory and
 * manifest it recorded still has the same signature. Corrupt, foreign or stale files count
 * as absent.
 *
 * @param file - the cache path
 * @param key - the current key
 * @returns the cache, `"absent"` when there is no file, or `"stale"` when it cannot be used
 */
export function readCache(file: string, key: CacheKey): CacheFile | "absent" | "stale" {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return "absent";
  }
  try {
    const cache = JSON.parse(text) as CacheFile;
    if (cache?.format !== CACHE_FORMAT || JSON.stringify(cache.key) !== JSON.stringify(key)) return "stale";
    if (!Array.isArray(cache.entries) || typeof cache.dirs !== "object" || typeof cache.manifests !== "object") {
      return "stale";
    }
    for (const [path, signature] of Object.entries(cache.dirs)) if (signatureAt(path) !== signature) return "stale";
    for (const [path, signature] of Object.entries(cache.manifests))
      if (signatureAt(path) !== signature) return "stale";
    return cache;
  } catch {
    return "stale";
  }
}

/**
 * Makes sure the cache's directory exists. Called before scanning, so that creating it
 * does not change the signature of the node_modules directory being scanned.
 *
 * @param file - the cache path
 * @returns whether the directory is usable
 */
export function prepareCacheDir(file: string): boolean {
  try {
    mkdirSync(dirname(file), { recursive: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes the cache atomically (a temporary file renamed into place); failures are ignored,
 * a missing cache only costs the next start a scan.
 *
 * @param file - the cache path
 * @param cache - the content
 */
export function writeCache(file: string, cache: CacheFile): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, JSON.stringify(cache));
    renameSync(temporary, file);
  } catch {
    // read-only node_modules: run without a cache
  }
}
