import { readFileSync } from "node:fs";
import { sep } from "node:path";
import type { Candidate } from "../checks/candidate.js";
import type { PackageEntry } from "../checks/check-shape.js";
import type { DiscoveryProblem } from "../plugin-record.js";
import { type Signature, signatureAt, signatureStill } from "./file-signature.js";
import { packagesUnchangedSince } from "./packages-unchanged.js";

/** Format tag of the cache file; a file with another tag is foreign and ignored. */
export const CACHE_FORMAT = "tracelet-discovery-cache/4";

/**
 * Files whose change means an install happened: lockfiles, and the state files package managers
 * write on every install (npm's hidden lockfile, pnpm's `.modules.yaml`, Yarn's integrity and
 * install state, Plug'n'Play's maps). Relative to the project root.
 */
export const LOCKFILES = [
  "package-lock.json",
  "npm-shrinkwrap.json",
  "yarn.lock",
  "pnpm-lock.yaml",
  "pnpm-workspace.yaml",
  "bun.lock",
  "bun.lockb",
  "node_modules/.package-lock.json",
  "node_modules/.modules.yaml",
  "node_modules/.yarn-integrity",
  "node_modules/.yarn-state.yml",
  "node_modules/.pnpm/lock.yaml",
  ".pnp.cjs",
  ".pnp.data.json",
  ".yarn/install-state.gz",
];

// The files of a cache's key, relative to the project root.
const KEY_FILES = ["package.json", ...LOCKFILES];

/**
 * How much a valid-looking cache is checked before it is used.
 * - `default`: what an install changes (lockfiles and install state files, every
 *   `node_modules` and scope directory scanned) and the plugin packages' own files.
 * - `strict`: also every package.json the scan read (one `stat` each), so a hand edit that
 *   turns any package into a plugin is noticed.
 */
export type CacheMode = "default" | "strict";

/**
 * What a cache is valid for: Tracelet's version, the places scanned, the plugins known without
 * discovery, the host package.json and the lockfiles. Any difference and the cache is rebuilt.
 */
export interface CacheKey {
  /** `TRACELET_VERSION`. */
  version: string;
  /** The project root. */
  root: string;
  /** User-level locations scanned. */
  userDirs: string[];
  /** Built-in and registered plugins with their versions (they take part in the checks). */
  known: Array<[string, string]>;
  /** Signatures of the host package.json and of each lockfile, by path relative to the root. */
  files: Record<string, Signature>;
}

/** The cache file's content. */
export interface CacheFile {
  /** {@link CACHE_FORMAT}. */
  format: string;
  /** What it is valid for. */
  key: CacheKey;
  /**
   * The file system's time when the scan began (the ctime of a file created then). A
   * package.json changed since has a ctime at least this late (strict mode).
   */
  stamp: number;
  /** Signature of every directory listed by the scan (or looked for and absent). */
  dirs: Record<string, Signature>;
  /**
   * Signatures of the plugin packages' own files: package.json, schema files, zip archives
   * (`"changed"` for one that changed while the scan ran: never equal, so the next start rescans).
   */
  pluginFiles: Record<string, Signature | "changed">;
  /**
   * Every package directory whose package.json the scan read (strict mode), grouped by parent:
   * each group is `parent` and the paths relative to it, joined by NUL (no path holds one).
   * One string a group, not an array: a default-mode start parses this and never looks at it.
   */
  packages: string[];
  /** Package directories whose package.json was absent or unreadable (strict mode). */
  missing: string[];
  /** Zip archives (Yarn Plug'n'Play) whose packages the scan read (strict mode). */
  archives: string[];
  /** Shape-checked plugin packages. */
  entries: PackageEntry[];
  /** Every candidate plugin after the checks. */
  candidates: Candidate[];
  /** Every problem the checks found. */
  problems: DiscoveryProblem[];
  /** How many package directories the scan looked at. */
  packagesScanned: number;
}

/** Why a cache could not be used; `absent` when there was none. */
export interface CacheMiss {
  /** No file (`absent`), or a file that could not be used (`stale`). */
  kind: "absent" | "stale";
  /** What changed, for `tracelet plugins`. */
  reason: string;
}

/** What a cache is valid for, less the files' signatures (checked one `stat` at a time). */
export type CacheIdentity = Omit<CacheKey, "files">;

/**
 * What a project's cache must have been written for, from the current options.
 *
 * @param version - Tracelet's version
 * @param root - the project root
 * @param userDirs - user-level locations
 * @param known - built-in and registered plugins, by name, with versions
 * @returns the key without the files' signatures
 */
export function cacheIdentityOf(
  version: string,
  root: string,
  userDirs: string[],
  known: ReadonlyMap<string, string>,
): CacheIdentity {
  const knownList = [...known].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { version, root, userDirs, known: knownList };
}

// A key file's path (names are plain relative paths: no normalising needed).
const keyFile = (root: string, name: string) => (root.endsWith(sep) ? `${root}${name}` : `${root}${sep}${name}`);

/**
 * Builds the key of a project's cache from the current state of its files (taken before a
 * scan, so that a change during the scan makes the next start rescan).
 *
 * @param identity - from {@link cacheIdentityOf}
 * @returns the key
 */
export function cacheKeyOf(identity: CacheIdentity): CacheKey {
  const files: Record<string, Signature> = {};
  for (const name of KEY_FILES) files[name] = signatureAt(keyFile(identity.root, name));
  return { ...identity, files };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

// The cached results are used as they are: a hand-edited file must not hand out nonsense.
function resultsWellFormed(cache: CacheFile): boolean {
  return (
    cache.entries.every((e) => isObject(e) && typeof e.dir === "string" && typeof e.name === "string") &&
    cache.candidates.every(
      (c) =>
        isObject(c) &&
        isObject(c.plugin) &&
        typeof c.plugin.name === "string" &&
        typeof c.plugin.type === "string" &&
        isObject(c.pkg) &&
        typeof c.pkg.dir === "string" &&
        typeof c.state === "string",
    ) &&
    cache.problems.every((p) => isObject(p) && typeof p.code === "string" && typeof p.message === "string")
  );
}

function wellFormed(cache: CacheFile): boolean {
  return (
    typeof cache.packagesScanned === "number" &&
    typeof cache.stamp === "number" &&
    Array.isArray(cache.entries) &&
    Array.isArray(cache.candidates) &&
    Array.isArray(cache.problems) &&
    Array.isArray(cache.packages) &&
    Array.isArray(cache.missing) &&
    Array.isArray(cache.archives) &&
    typeof cache.dirs === "object" &&
    cache.dirs !== null &&
    typeof cache.pluginFiles === "object" &&
    cache.pluginFiles !== null &&
    resultsWellFormed(cache)
  );
}

// The first difference between the key a cache was written for and the current one.
function keyChange(old: CacheKey, now: CacheIdentity): string | undefined {
  if (old.version !== now.version) return `Tracelet's version changed (${old.version} → ${now.version})`;
  if (old.root !== now.root) return "the project moved";
  if (JSON.stringify(old.userDirs) !== JSON.stringify(now.userDirs)) return "the user-level plugin locations changed";
  if (JSON.stringify(old.known) !== JSON.stringify(now.known)) return "the built-in or registered plugins changed";
  const files = isObject(old.files) ? old.files : {};
  for (const name of KEY_FILES) if (!signatureStill(keyFile(now.root, name), files[name])) return `${name} changed`;
  return undefined;
}

function firstChanged(signatures: Record<string, unknown>, what: string): string | undefined {
  for (const path in signatures) if (!signatureStill(path, signatures[path])) return `${what} ${path} changed`;
  return undefined;
}

function archivesUnchangedSince(archives: readonly string[], stamp: number): string | undefined {
  for (const file of archives) {
    const sig = signatureAt(file);
    if (typeof sig === "string" || !(sig[2] < stamp)) return `archive ${file} changed`;
  }
  return undefined;
}

/**
 * Reads the cache and checks it is still true: same format and key, every directory it
 * recorded and every plugin package file unchanged, and in `strict` mode no package.json the
 * scan read (plugin or not) changed since the scan began. Corrupt, foreign or stale files
 * count as stale, with the reason.
 *
 * @param file - the cache path
 * @param identity - what it must have been written for (its key files are checked here)
 * @param mode - how much to check
 * @returns the cache, or why it cannot be used
 */
export function readCache(file: string, identity: CacheIdentity, mode: CacheMode): CacheFile | CacheMiss {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return { kind: "absent", reason: "no cache yet" };
  }
  let cache: CacheFile;
  try {
    cache = JSON.parse(text) as CacheFile;
  } catch {
    return { kind: "stale", reason: "the cache file is corrupt" };
  }
  if (typeof cache !== "object" || cache === null || cache.format !== CACHE_FORMAT) {
    return { kind: "stale", reason: "the cache file has another format" };
  }
  if (typeof cache.key !== "object" || cache.key === null || !wellFormed(cache)) {
    return { kind: "stale", reason: "the cache file is corrupt" };
  }
  const reason =
    keyChange(cache.key, identity) ??
    firstChanged(cache.dirs, "directory") ??
    firstChanged(cache.pluginFiles, "plugin package file") ??
    (mode === "strict" ? strictChange(cache) : undefined);
  return reason === undefined ? cache : { kind: "stale", reason };
}

function strictChange(cache: CacheFile): string | undefined {
  if (!packagesUnchangedSince(cache.packages, cache.missing, cache.stamp)) {
    return "a package.json changed since the scan (strict mode)";
  }
  return archivesUnchangedSince(cache.archives, cache.stamp);
}
