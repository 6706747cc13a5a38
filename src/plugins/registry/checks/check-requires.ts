import { basename, dirname, join } from "node:path";
import semver from "semver";
import { readRegularFile } from "../../../core/util/read-regular-file.js";
import { MAX_MANIFEST_BYTES } from "../manifest/manifest-types.js";
import type { DiscoveryProblem } from "../plugin-record.js";
import { type Candidate, refuse } from "./candidate.js";

// npm's rules for a package name (validate-npm-package-name, old packages' uppercase included):
// at most 214 characters, URL-safe, no leading `.` or `_`, one optional `@scope/`. A name is
// joined into a path below: `../..`, `/etc` or `a\b` must never get that far.
const NPM_NAME = /^(?:@[A-Za-z0-9~-][A-Za-z0-9._~-]*\/)?[A-Za-z0-9~-][A-Za-z0-9._~-]*$/;

/**
 * Whether a string is a valid npm package name (the rules of `validate-npm-package-name` for
 * existing packages: uppercase is allowed, as old packages have it).
 *
 * @param name - a candidate name
 * @returns true when it is one
 */
export function isNpmPackageName(name: string): boolean {
  return name.length <= 214 && NPM_NAME.test(name) && name !== "node_modules" && name !== "favicon.ico";
}

/**
 * The version of an npm package as Node would resolve it from `fromDir`: the first
 * `node_modules/<name>/package.json` walking up (pnpm's symlinked store included, since
 * `fromDir` is a real path). Each package.json is read with the scan's guards: a FIFO, a device
 * (a link to `/dev/zero`) or a file over the manifest size limit counts as not installed there.
 *
 * @param fromDir - real path of the requiring package
 * @param name - the npm package (a valid npm name: see {@link isNpmPackageName})
 * @returns its version, `""` when it has none, or undefined when it is not installed
 */
export function installedVersion(fromDir: string, name: string): string | undefined {
  if (!isNpmPackageName(name)) return undefined;
  for (let dir = fromDir; ; dir = dirname(dir)) {
    if (basename(dir) !== "node_modules") {
      const read = readRegularFile(join(dir, "node_modules", name, "package.json"), MAX_MANIFEST_BYTES);
      if (read.kind === "text") {
        try {
          const pkg = JSON.parse(read.text) as { version?: unknown } | null;
          return typeof pkg?.version === "string" ? pkg.version : "";
        } catch {
          // not JSON: keep walking up, as before
        }
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Check 5, `requires`: each name must be a valid npm package name
 * (`TRACELET_ERR_MANIFEST_INVALID`), and the package resolvable from the plugin's own directory
 * (`TRACELET_ERR_DEPENDENCY_MISSING`) at a version inside its range
 * (`TRACELET_ERR_DEPENDENCY_VERSION`).
 *
 * @param candidate - the plugin
 * @returns the problem, when refused
 */
export function checkRequires(candidate: Candidate): DiscoveryProblem | undefined {
  for (const [name, range] of Object.entries(candidate.plugin.requires ?? {})) {
    if (!isNpmPackageName(name)) {
      return refuse(
        candidate,
        "TRACELET_ERR_MANIFEST_INVALID",
        `its requires names ${JSON.stringify(name.slice(0, 100))}, which is not a valid npm package name`,
      );
    }
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
