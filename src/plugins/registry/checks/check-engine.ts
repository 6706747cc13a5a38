import type { DiscoveryProblem } from "../plugin-record.js";
import { type Candidate, refuse } from "./candidate.js";
import { satisfiesRange } from "./plain-semver.js";

/**
 * Whether an `engine` range admits a Tracelet version.
 *
 * The prerelease rule: ranges are matched with `includePrerelease`, so a Tracelet prerelease
 * is admitted when its version lies inside the range numerically. `^1.0.0` admits
 * `1.1.0-beta.1` (a 1.x prerelease keeps the 1.x contract) but not `2.0.0-rc.1` (which lies
 * past `<2.0.0-0`). Plain npm semantics would refuse every plugin on any prerelease.
 *
 * @param range - the manifest's `engine`
 * @param version - Tracelet's version
 * @returns true when admitted
 */
export function engineAdmits(range: string, version: string): boolean {
  return satisfiesRange(version, range, true);
}

/**
 * Check 3, engine: the package's `engine` range must admit this Tracelet version. Code
 * `TRACELET_ERR_ENGINE_INCOMPATIBLE`.
 *
 * @param candidate - the plugin
 * @param version - Tracelet's version (`TRACELET_VERSION`)
 * @returns the problem, when refused
 */
export function checkEngine(candidate: Candidate, version: string): DiscoveryProblem | undefined {
  const range = candidate.pkg.manifest?.engine ?? "";
  if (engineAdmits(range, version)) return undefined;
  return refuse(
    candidate,
    "TRACELET_ERR_ENGINE_INCOMPATIBLE",
    `it needs Tracelet ${range}, and this is Tracelet ${version}`,
  );
}
