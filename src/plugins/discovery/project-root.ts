import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

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
 * above `cwd`, as read-pkg-up), but synchronously and reading the file once: discovery's
 * start-up pays no thread-pool round trips. A nearest package.json that does not parse is
 * the host's problem, reported when a run reads its options; discovery then works from `cwd`.
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
  for (let dir = start; ; ) {
    let text: string | undefined;
    try {
      text = readFileSync(join(dir, "package.json"), "utf8");
    } catch {
      // none here (or a directory of that name): keep walking up
    }
    if (text !== undefined) {
      try {
        const pkg: unknown = JSON.parse(text);
        if (!isObject(pkg)) return { root: dir, pkg: {}, field: {} };
        return { root: dir, pkg, field: isObject(pkg.tracelet) ? pkg.tracelet : {} };
      } catch {
        return { root: start, pkg: {}, field: {} };
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return { root: start, pkg: {}, field: {} };
    dir = parent;
  }
}
