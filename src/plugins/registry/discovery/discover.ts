import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { TRACELET_VERSION } from "../../../core/version.js";
import { policyOf } from "../checks/check-allow-deny.js";
import type { PackageEntry } from "../checks/check-shape.js";
import type { DiscoveryProblem, PluginRecord } from "../plugin-record.js";
import { recordOfCandidate } from "./build-records.js";
import { CACHE_FORMAT, type CacheFile, type CacheMode, cacheIdentityOf, cacheKeyOf, readCache } from "./cache.js";
import { cacheModeOf, type DiscoveryCacheOption } from "./cache-mode.js";
import { beginCache, finishCache } from "./cache-write.js";
import { isPnpProject } from "./pnp.js";
import { projectRootOf } from "./project-root.js";
import { userPluginDirs } from "./roots.js";

/** Where the discovery cache lives, relative to the project root. */
export const CACHE_PATH = join("node_modules", ".cache", "tracelet", "discovery.json");

/** Where it lives in a Yarn Plug'n'Play project (which has no node_modules). */
export const PNP_CACHE_PATH = join(".yarn", ".cache", "tracelet", "discovery.json");

/** Options of `discover()` (used by `PluginManager.discoverPlugins()`). */
export interface DiscoverOptions {
  /** Where the project is looked for (its root is the nearest package.json above; default `process.cwd()`). */
  cwd: string;
  /**
   * User-level plugin locations. Default: `TRACELET_PLUGIN_DIRS` (separated like `PATH`) when
   * set, else `~/.tracelet/plugins`. The host's `tracelet.pluginDirs` are always added.
   */
  userPluginDirs?: readonly string[];
  /**
   * The on-disk cache: `"default"` (checks what installs change and the plugin packages' own
   * files), `"strict"` (also every package.json), `"off"` (or `false`). `true` or absent: the
   * environment's `TRACELET_DISCOVERY_CACHE` (`strict`, `off`/`0`, `default`), else `"default"`.
   */
  cache?: DiscoveryCacheOption;
  /** Plugins known without discovery (built-in, registered), by name, with their versions. */
  known?: ReadonlyMap<string, string>;
}

/** A package that declares a `tracelet` field. */
export interface CandidatePackage {
  /** Package name. */
  name: string;
  /** Package version. */
  version: string;
  /** Real path of its directory (through a `.zip` for a Plug'n'Play package in an archive). */
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
  /** How the cache was checked: `default`, `strict`, or `off`. */
  cacheMode: CacheMode | "off";
  /** Why the cache was not used (`miss`, `rebuilt`) or not kept (`off`). */
  cacheReason?: string;
  /** `node_modules` or `pnp` (Yarn Plug'n'Play). */
  layout: "node_modules" | "pnp";
  /** The project root (where the host package.json is). */
  root: string;
  /** Package directories looked at by the scan that produced these results. */
  packagesScanned: number;
}

function packageOf(entry: PackageEntry, problems: readonly DiscoveryProblem[]): CandidatePackage {
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

type Found = Pick<CacheFile, "entries" | "candidates" | "problems" | "packagesScanned">;

/**
 * Finds plugin packages for the project around `cwd` (its root: the nearest package.json above
 * it): its node_modules as npm, pnpm, Yarn and Bun leave them, its workspaces', Yarn
 * Plug'n'Play's map, and the user-level locations. Reads package.json files only: no plugin
 * code runs. Then checks every plugin (see `runChecks`). Results are cached in
 * `node_modules/.cache/tracelet/discovery.json` (`.yarn/.cache/tracelet/` under Plug'n'Play);
 * see {@link DiscoverOptions.cache} for what a cache is checked against before it is used.
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
  const known = options.known ?? new Map<string, string>();
  const pnp = isPnpProject(root);
  const mode = cacheModeOf(options.cache);
  let cacheReason: string | undefined;
  let useCache = mode !== "off";
  if (useCache && !pnp && !existsSync(join(root, "node_modules"))) {
    useCache = false;
    cacheReason = "the project has no node_modules";
  }
  const cacheFile = join(root, pnp ? PNP_CACHE_PATH : CACHE_PATH);
  const identity = cacheIdentityOf(TRACELET_VERSION, root, userDirs, known);
  let state: DiscoveryReport["cache"] = "off";
  let found: Found | undefined;
  if (useCache) {
    const cached = readCache(cacheFile, identity, mode as CacheMode);
    if ("format" in cached) {
      state = "hit";
      found = cached;
    } else {
      state = cached.kind === "absent" ? "miss" : "rebuilt";
      cacheReason = cached.reason;
    }
  }
  if (!found) {
    // Both taken before the scan: a lockfile changed from now on, or a package.json edited
    // after the temporary file's ctime, makes the next start rescan.
    const key = cacheKeyOf(identity);
    const pending = useCache ? beginCache(cacheFile) : undefined;
    // The scan and the checks (semver, the manifest validator) load only when a scan is needed.
    const { discoverFresh } = await import("./discover-fresh.js");
    const fresh = await discoverFresh({
      root,
      hostPkg,
      userDirs,
      pnp,
      traceletVersion: TRACELET_VERSION,
      known,
      policy: policyOf(hostField),
      stamp: pending?.stamp ?? Number.POSITIVE_INFINITY,
    });
    if (pending) finishCache(pending, { format: CACHE_FORMAT, key, stamp: pending.stamp, ...fresh });
    found = fresh;
  }
  return {
    packages: found.entries.map((e) => packageOf(e, found.problems)),
    plugins: found.candidates.map(recordOfCandidate),
    problems: found.problems,
    durationMs: performance.now() - started,
    cache: state,
    cacheMode: useCache ? (mode as CacheMode) : "off",
    ...(cacheReason === undefined ? {} : { cacheReason }),
    layout: pnp ? "pnp" : "node_modules",
    root,
    packagesScanned: found.packagesScanned,
  };
}
