import { readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import semver from "semver";
import type { DiscoveryProblem } from "../plugin-record.js";
import { type Candidate, refuse } from "./candidate.js";

/**
 * The version of an npm package as Node would resolve it from `fromDir`: the first
 * `node_modules/<name>/package.json` walking up (pnpm's symlinked store included, since
 * `fromDir` is a real path).
 *
 * @param fromDir - real path of the requiring package
 * @param name - the npm package
 * @returns its version, `""` when it has none, or undefined when it is not installed
 */
export function installedVersion(fromDir: string, name: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    if (basename(dir) !== "node_modules") {
      try {
        const pkg = JSON.parse(readFileSync(join(dir, "node_modules", name, "package.json"), "utf8")) as {
          version?: unknown;
        };
        return typeof pkg.version === "string" ? pkg.version : "";
      } catch {
        // not here (or unreadable): keep walking up
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Check 5, `requires`: each npm package must be resolvable from the plugin's own directory
 * (`TRACELET_ERR_DEPENDENCY_MISSING`) at a version inside its range
 * (`TRACELET_ERR_DEPENDENCY_VERSION`).
 *
 * @param candidate - the plugin
 * @returns the problem, when refused
 */
export function checkRequires(candidate: Candidate): DiscoveryProblem | undefined {
  for (const [name, range] of Object.entries(candidate.plugin.requires ?? {})) {
    const version = installedVersion(candidate.pkg.dir, name);
    if (version === undefined) {
      return refuse(
        candidate,
        "TRACELET_ERR_DEPENDENCY_MISSING",
        `it requires npm package "${name}" ${range}, which is not installed`,
      );
    }
    if (!semver.satisfies(version, range)) {
      return refuse(
        candidate,
        "TRACELET_ERR_DEPENDENCY_VERSION",
        `it requires npm package "${name}" ${range}, and ${version || "an unversioned copy"} is installed`,
      );
    }
  }
  return undefined;
}
