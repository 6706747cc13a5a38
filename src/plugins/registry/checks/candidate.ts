import type { ErrorCode } from "../../../core/error-codes.js";
import type { ManifestPlugin } from "../manifest/manifest-types.js";
import type { DiscoveryProblem, DiscoveryState } from "../plugin-record.js";
import type { PackageEntry } from "./check-shape.js";

/** One declared plugin going through the checks. */
export interface Candidate {
  /** Its manifest entry. */
  plugin: ManifestPlugin;
  /** The package that declares it. */
  pkg: PackageEntry;
  /** `available` until a check refuses it (or a nearer one shadows it). */
  state: DiscoveryState;
  /** Why it is refused or shadowed. */
  problem?: DiscoveryProblem;
  /** Its config schema, once loaded (inline, or from its file). */
  schema?: Record<string, unknown>;
}

/**
 * Marks a candidate refused (or shadowed) with a coded problem naming its package.
 *
 * @param candidate - the plugin
 * @param code - the reason's code
 * @param reason - what is wrong, without the plugin's name
 * @param state - `"refused"` (default) or `"shadowed"`
 * @returns the problem
 */
export function refuse(
  candidate: Candidate,
  code: ErrorCode,
  reason: string,
  state: DiscoveryState = "refused",
): DiscoveryProblem {
  const { pkg, plugin } = candidate;
  const problem: DiscoveryProblem = {
    code,
    message: `Plugin "${plugin.name}" of package ${pkg.name}@${pkg.version}: ${reason}.`,
    packageName: pkg.name,
    pluginName: plugin.name,
    path: pkg.dir,
  };
  candidate.state = state;
  candidate.problem = problem;
  return problem;
}

/**
 * Orders candidates of the same name nearest first: the project's over user-level ones,
 * hoisted over nested (smaller depth), then by package name, then by path.
 *
 * @param a - one candidate
 * @param b - another
 * @returns negative when `a` is nearer
 */
export function nearerFirst(a: Candidate, b: Candidate): number {
  const source = (c: Candidate) => (c.pkg.source === "project" ? 0 : 1);
  return (
    source(a) - source(b) ||
    a.pkg.depth - b.pkg.depth ||
    (a.pkg.name < b.pkg.name ? -1 : a.pkg.name > b.pkg.name ? 1 : 0) ||
    (a.pkg.dir < b.pkg.dir ? -1 : a.pkg.dir > b.pkg.dir ? 1 : 0)
  );
}
