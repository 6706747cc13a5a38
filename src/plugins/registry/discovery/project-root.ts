import { dirname, resolve } from "node:path";
import { nearestPackageJson } from "../../../core/host-config.js";

/** The project discovery works for. */
export interface ProjectRoot {
  /** Directory of the nearest package.json above `cwd` (or `cwd` when there is none usable). */
  root: string;
  /** That package.json, parsed (`{}` when it is not a JSON object). */
  pkg: Record<string, unknown>;
  /** Its `tracelet` field (`{}` when absent or not an object). */
  field: Record<string, unknown>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Finds the project root the way `readHostConfig` does (the nearest readable package.json
 * above `cwd`, as read-pkg-up), without its error for a malformed file: a nearest package.json
 * that does not parse is the host's problem, reported when a run reads its options; discovery
 * then works from `cwd`.
 *
 * @param cwd - where to start
 * @returns the root, its package.json and its `tracelet` field
 * @example
 * ```ts
 * const { root, field } = projectRootOf(process.cwd());
 * ```
 */
export function projectRootOf(cwd: string): ProjectRoot {
  const start = resolve(cwd);
  const found = nearestPackageJson(start);
  if (!found) return { root: start, pkg: {}, field: {} };
  let pkg: unknown;
  try {
    pkg = JSON.parse(found.text ?? "");
  } catch {
    return { root: start, pkg: {}, field: {} };
  }
  const root = dirname(found.path);
  if (!isObject(pkg)) return { root, pkg: {}, field: {} };
  return { root, pkg, field: isObject(pkg.tracelet) ? pkg.tracelet : {} };
}
