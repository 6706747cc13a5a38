import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { TRACELET_VERSION } from "../../core/version.js";
import { policyOf } from "../compat/check-allow-deny.js";
import { checkShape, type PackageEntry } from "../compat/check-shape.js";
import { runChecks } from "../compat/run-checks.js";
import type { DiscoveryProblem, PluginRecord } from "../plugin-record.js";
import { recordOfCandidate } from "./build-records.js";
import { CACHE_FORMAT, type CacheFile, cacheKeyOf, readCache } from "./cache.js";
import { beginCache, finishCache } from "./cache-write.js";
import { projectRootOf } from "./project-root.js";
import { readPackageText } from "./read-package-text.js";
import { scanRootsOf, userPluginDirs } from "./roots.js";
import { scanRoots } from "./scan.js";
import type { RawCandidate } from "./scan-types.js";
import { workspaceDirs } from "./workspaces.js";

/** Where the discovery cache lives, relative to the project root. */
export const CACHE_PATH = join("node_modules", ".cache", "tracelet", "discovery.json");

/** Options of `discover()` (used by `PluginManager.discoverPlugins()`). */
export interface DiscoverOptions {
  /** Where the project is looked for (its root is the nearest package.json above; default `process.cwd()`). */
  cwd: string;
  /**
   * User-level plugin locations. Default: `TRACELET_PLUGIN_DIRS` (separated like `PATH`) when
   * set, else `~/.tracelet/plugins`. The host's `tracelet.pluginDirs` are always added.
   */
  userPluginDirs?: readonly string[];
  /** Use the on-disk cache (default true; `TRACELET_DISCOVERY_CACHE=0` also turns it off). */
  cache?: boolean;
  /** Plugins known without discovery (built-in, registered), by name, with their versions. */
  known?: ReadonlyMap<string, string>;
}

/** A package that declares a `tracelet` field. */
export interface CandidatePackage {
  /** Package name. */
  name: string;
  /** Package version. */
  version: string;
  /** Real path of its directory. */
  path: string;
  /** Where it was found. */
  source: "project" | "user";
  /** Names of the plugins it declares (as far as they can be read). */
  plugins: string[];
  /** Why the whole package is refused (a malformed manifest), if it is. */
  problem?: DiscoveryProblem;
}

/** What discovery found. */
export interface DiscoveryReport {
  /** Every package that declares a `tracelet` field, valid or not. */
  packages: CandidatePackage[];
  /** Every candidate plugin with its state. */
  plugins: PluginRecord[];
  /** Every problem, coded. Shadowed plugins are not problems. */
  problems: DiscoveryProblem[];
  /** How long discovery took, in milliseconds. */
  durationMs: number;
  /** `hit`: the cache was valid and used; `miss`: there was none; `rebuilt`: it was stale, corrupt or foreign; `off`: not used. */
  cache: "hit" | "miss" | "rebuilt" | "off";
  /** The project root (where the host package.json is). */
  root: string;
  /** Package directories looked at by the scan that produced these results. */
  packagesScanned: number;
}

function packageOf(entry: PackageEntry, problems: DiscoveryProblem[]): CandidatePackage {
  const plugins = (entry.manifest?.plugins ?? entry.named ?? []).map((p) => p.name);
  const out: CandidatePackage = {
    name: entry.name,
    version: entry.version,
    path: entry.dir,
    source: entry.source,
    plugins,
  };
  const problem = entry.manifest ? undefined : problems.find((p) => p.path === entry.dir && !p.pluginName);
  if (problem) out.problem = problem;
  return out;
}

// The host package may itself declare plugins (a plugin package tested in place).
function hostCandidate(root: string): RawCandidate | undefined {
  const found = readPackageText(join(root, "package.json"));
  if (found.kind !== "candidate") return undefined;
  return { dir: root, source: "project", depth: -1, text: found.text, size: found.text.length };
}

type Scanned = Omit<CacheFile, "format" | "key" | "stamp">;

function scanFresh(root: string, hostPkg: Record<string, unknown>, userDirs: string[]): Scanned {
  const dirs: Record<string, string> = {};
  const workspaces = workspaceDirs(root, hostPkg, dirs);
  const scan = scanRoots(scanRootsOf(root, workspaces, userDirs));
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
  return {
    dirs: Object.assign(dirs, scan.dirs),
    packages: scan.packages,
    missing: scan.missing,
    entries,
    packagesSeen: scan.packagesSeen,
  };
}

/**
 * Finds plugin packages for the project around `cwd` (its root: the nearest package.json above it):
 * its node_modules as npm, pnpm and yarn leave them, its workspaces', and the user-level
 * locations. Reads package.json files only: no plugin code runs. Then checks every plugin
 * (see `runChecks`). Results are cached in `node_modules/.cache/tracelet/discovery.json`,
 * used only while every directory it listed and every package.json it read, the lockfiles
 * and Tracelet's version are unchanged.
 *
 * @param options - where to look
 * @returns the plugins and problems found; never throws for a bad package
 * @example
 * ```ts
 * const { plugins, problems, cache } = await discover({ cwd: process.cwd() });
 * ```
 */
export async function discover(options: DiscoverOptions): Promise<DiscoveryReport> {
  const started = performance.now();
  const cwd = resolve(options.cwd ?? process.cwd());
  const { root, pkg: hostPkg, field: hostField } = projectRootOf(cwd);
  const userDirs = userPluginDirs(root, hostField, options.userPluginDirs);

  const useCache =
    options.cache !== false && process.env.TRACELET_DISCOVERY_CACHE !== "0" && existsSync(join(root, "node_modules"));
  const cacheFile = join(root, CACHE_PATH);
  const key = cacheKeyOf(TRACELET_VERSION, root, userDirs);
  let state: DiscoveryReport["cache"] = "off";
  let data: Scanned | undefined;
  if (useCache) {
    const cached = readCache(cacheFile, key);
    if (typeof cached === "object") {
      state = "hit";
      data = cached;
    } else {
      state = cached === "absent" ? "miss" : "rebuilt";
    }
  }
  const context = { traceletVersion: TRACELET_VERSION, known: options.known ?? new Map(), policy: policyOf(hostField) };
  let checked: ReturnType<typeof runChecks> | undefined;
  if (data) {
    try {
      checked = runChecks(data.entries, context);
    } catch {
      // A cache file that passed validation but holds nonsense (hand-edited): scan afresh.
      state = "rebuilt";
      data = undefined;
    }
  }
  if (!data || !checked) {
    // Created before the scan: its ctime is the moment after which any edit must be noticed.
    const pending = useCache ? beginCache(cacheFile) : undefined;
    data = scanFresh(root, hostPkg, userDirs);
    if (pending) finishCache(pending, { format: CACHE_FORMAT, key, stamp: pending.stamp, ...data });
    checked = runChecks(data.entries, context);
  }
  const { candidates, problems } = checked;
  return {
    packages: data.entries.map((e) => packageOf(e, problems)),
    plugins: candidates.map(recordOfCandidate),
    problems,
    durationMs: performance.now() - started,
    cache: state,
    root,
    packagesScanned: data.packagesSeen,
  };
}
