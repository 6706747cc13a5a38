import { join } from "node:path";
import type { Candidate } from "../checks/candidate.js";
import type { HostPolicy } from "../checks/check-allow-deny.js";
import { checkShape, type PackageEntry } from "../checks/check-shape.js";
import { runChecks } from "../checks/run-checks.js";
import type { DiscoveryProblem } from "../plugin-record.js";
import type { CacheFile } from "./cache.js";
import { packageFileSignature } from "./package-file.js";
import { joinGroup } from "./packages-unchanged.js";
import { pnpTree } from "./pnp.js";
import { scanPnp } from "./pnp-scan.js";
import { readPackageText } from "./read-package-text.js";
import { scanRootsOf } from "./roots.js";
import { scanRoots } from "./scan.js";
import type { RawCandidate, ScanResult } from "./scan-types.js";
import { workspaceDirs } from "./workspaces.js";

/** What a fresh scan and its checks produce: the cache's content without format, key and stamp. */
export type FreshDiscovery = Omit<CacheFile, "format" | "key" | "stamp">;

const noRequires = () => undefined;

/** What {@link discoverFresh} needs. */
export interface FreshOptions {
  /** The project root. */
  root: string;
  /** Its package.json, parsed. */
  hostPkg: Record<string, unknown>;
  /** User-level locations. */
  userDirs: string[];
  /** Whether the project uses Yarn Plug'n'Play. */
  pnp: boolean;
  /** Tracelet's version. */
  traceletVersion: string;
  /** Built-in and registered plugins. */
  known: ReadonlyMap<string, string>;
  /** The host's allow/deny lists. */
  policy: HostPolicy;
  /** The file system's time when the scan began (a file changed later is recorded as changed). */
  stamp: number;
}

// The host package may itself declare plugins (a plugin package tested in place).
function hostCandidate(root: string): RawCandidate | undefined {
  const found = readPackageText(join(root, "package.json"));
  if (found.kind !== "candidate") return undefined;
  return { dir: root, source: "project", depth: -1, text: found.text, size: found.text.length };
}

function scanOf(options: FreshOptions, dirs: CacheFile["dirs"]): ScanResult {
  const { root, hostPkg, userDirs } = options;
  const workspaces = workspaceDirs(root, hostPkg, dirs);
  const scan = scanRoots(scanRootsOf(root, workspaces, userDirs));
  if (!options.pnp) return scan;
  const tree = pnpTree(root);
  if (!tree) return scan;
  const pnp = scanPnp(tree);
  return {
    candidates: [...pnp.candidates, ...scan.candidates],
    dirs: scan.dirs,
    packages: [...pnp.packages, ...scan.packages],
    missing: [...pnp.missing, ...scan.missing],
    packagesSeen: pnp.packagesSeen + scan.packagesSeen,
    archives: pnp.archives,
  };
}

// Signatures of each plugin package's own files. A file changed after the scan began may
// have been read before or after the change: recorded as changed, so the next start rescans.
function pluginFilesOf(entries: readonly PackageEntry[], candidates: readonly Candidate[], stamp: number) {
  const files: CacheFile["pluginFiles"] = {};
  const sign = (path: string) => {
    const [file, signature] = packageFileSignature(path);
    files[file] = typeof signature !== "string" && signature[2] >= stamp ? "changed" : signature;
  };
  for (const entry of entries) sign(join(entry.dir, "package.json"));
  for (const c of candidates) {
    if (typeof c.plugin.configSchema === "string") sign(join(c.pkg.dir, c.plugin.configSchema));
  }
  return files;
}

/**
 * Scans the project afresh (its node_modules, workspaces, user-level locations, or its
 * Plug'n'Play map) and runs every compatibility check. Kept apart from `discover` so that a
 * start with a valid cache never loads the scan, semver or the manifest validator.
 *
 * @param options - where and what to check
 * @returns everything a cache keeps
 */
export async function discoverFresh(options: FreshOptions): Promise<FreshDiscovery> {
  const { root, hostPkg } = options;
  const dirs: CacheFile["dirs"] = {};
  const scan = scanOf(options, dirs);
  const traceletField = hostPkg.tracelet as { plugins?: unknown } | undefined;
  const host = Array.isArray(traceletField?.plugins) ? hostCandidate(root) : undefined;
  // A symlink back to the project root must not make the host a dependency of itself.
  const found = scan.candidates.filter((c) => c.dir !== root);
  const raws = host ? [host, ...found] : found;
  const entries: PackageEntry[] = [];
  for (const raw of raws) {
    const entry = checkShape(raw);
    if (entry) entries.push(entry);
  }
  // The `requires` check (and the whole of semver it loads) only when a plugin has `requires`.
  const needed = entries.some((e) => e.manifest?.plugins.some((p) => p.requires !== undefined));
  const checkRequires = needed ? (await import("../checks/check-requires.js")).checkRequires : noRequires;
  const { candidates, problems } = runChecks(entries, { ...options, checkRequires });
  return {
    dirs: Object.assign(dirs, scan.dirs),
    pluginFiles: pluginFilesOf(entries, candidates, options.stamp),
    packages: scan.packages.map(joinGroup),
    missing: scan.missing,
    archives: scan.archives ?? [],
    entries,
    candidates,
    problems: problems as DiscoveryProblem[],
    packagesScanned: scan.packagesSeen,
  };
}
