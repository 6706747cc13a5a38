import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { PackageEntry } from "../compat/check-shape.js";
import { signatureAt } from "./file-signature.js";
import { packagesUnchangedSince } from "./packages-unchanged.js";
import type { PackageGroups } from "./scan-types.js";

/** Format tag of the cache file; a file with another tag is foreign and ignored. */
export const CACHE_FORMAT = "tracelet-discovery-cache/2";

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
  /**
   * The file system's time when the scan began (the ctime of a file created then). A
   * package.json changed since has a ctime at least this late.
   */
  stamp: number;
  /** Signature of every directory listed by the scan (or looked for and absent). */
  dirs: Record<string, string>;
  /** Every package directory whose package.json the scan read. */
  packages: PackageGroups;
  /** Package directories whose package.json was absent or unreadable. */
  missing: string[];
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

function wellFormed(cache: CacheFile | null): boolean {
  return (
    typeof cache === "object" &&
    cache !== null &&
    typeof cache.stamp === "number" &&
    Array.isArray(cache.entries) &&
    Array.isArray(cache.packages) &&
    Array.isArray(cache.missing) &&
    typeof cache.dirs === "object" &&
    cache.dirs !== null
  );
}

/**
 * Reads the cache and checks it is still true: same format and key, every directory it
 * recorded still has the same signature, and no package.json the scan read (plugin or not)
 * has changed since the scan began. Corrupt, foreign or stale files count as stale.
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
    const cache = JSON.parse(text) as CacheFile | null;
    if (cache?.format !== CACHE_FORMAT || JSON.stringify(cache.key) !== JSON.stringify(key)) return "stale";
    if (!wellFormed(cache)) return "stale";
    for (const path in cache.dirs) if (signatureAt(path) !== cache.dirs[path]) return "stale";
    return packagesUnchangedSince(cache.packages, cache.missing, cache.stamp) ? cache : "stale";
  } catch {
    return "stale";
  }
}
