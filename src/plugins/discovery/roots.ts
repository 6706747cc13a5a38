import { readdirSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { signatureAt } from "./file-signature.js";
import type { ScanRoot } from "./scan-types.js";

/** The documented default user-level plugin location. */
export const DEFAULT_USER_PLUGIN_DIR = join(homedir(), ".tracelet", "plugins");

/**
 * User-level plugin locations: the explicit list when given; else `TRACELET_PLUGIN_DIRS`
 * (separated like `PATH`) when set, else `~/.tracelet/plugins`; plus the host's
 * `tracelet.pluginDirs` (relative to the project root) in both cases.
 *
 * @param root - the project root
 * @param hostField - the host's `tracelet` field
 * @param explicit - directories given in code (replace the environment and the default)
 * @returns absolute directories
 */
export function userPluginDirs(
  root: string,
  hostField: Record<string, unknown>,
  explicit?: readonly string[],
): string[] {
  const env = process.env.TRACELET_PLUGIN_DIRS;
  const base = explicit ?? (env ? env.split(delimiter).filter(Boolean) : [DEFAULT_USER_PLUGIN_DIR]);
  const fromHost = Array.isArray(hostField.pluginDirs)
    ? hostField.pluginDirs.filter((d): d is string => typeof d === "string")
    : [];
  return [...new Set([...base.map((d) => resolve(root, d)), ...fromHost.map((d) => resolve(root, d))])];
}

function expandPattern(root: string, pattern: string, dirs: Record<string, string>): string[] {
  let current = [root];
  for (const segment of pattern.split("/").filter((s) => s && s !== ".")) {
    if (!segment.includes("*")) {
      current = current.map((d) => join(d, segment));
      continue;
    }
    // `**` is read as one level: workspaces are almost always `packages/*`.
    const re = new RegExp(`^${segment.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*+/g, "[^/]*")}$`);
    current = current.flatMap((d) => {
      dirs[d] = signatureAt(d);
      try {
        return readdirSync(d, { withFileTypes: true })
          .filter((e) => (e.isDirectory() || e.isSymbolicLink()) && e.name !== "node_modules" && re.test(e.name))
          .map((e) => join(d, e.name));
      } catch {
        return [];
      }
    });
  }
  return current;
}

/**
 * npm/yarn workspace directories of the project (`workspaces` as an array or as
 * `{ packages }`; `!` exclusions are ignored). Directories listed on the way are signed into
 * `dirs` so that a new workspace invalidates the cache.
 *
 * @param root - the project root
 * @param pkg - the root package.json
 * @param dirs - receives directory signatures
 * @returns absolute workspace directories
 */
export function workspaceDirs(root: string, pkg: Record<string, unknown>, dirs: Record<string, string>): string[] {
  const field = pkg.workspaces;
  const patterns = Array.isArray(field) ? field : (field as { packages?: unknown } | undefined)?.packages;
  if (!Array.isArray(patterns)) return [];
  const out = new Set<string>();
  for (const p of patterns) {
    if (typeof p !== "string" || p.startsWith("!")) continue;
    for (const dir of expandPattern(root, p, dirs)) out.add(resolve(dir));
  }
  return [...out].sort();
}

/**
 * Every place to scan, nearest first: the project's node_modules, each workspace's, then
 * each user-level location (its node_modules, and the folder itself as a folder of packages).
 *
 * @param root - the project root
 * @param workspaces - workspace directories
 * @param userDirs - user-level locations
 * @returns scan roots
 */
export function scanRootsOf(root: string, workspaces: readonly string[], userDirs: readonly string[]): ScanRoot[] {
  return [
    { dir: join(root, "node_modules"), source: "project", depth: 0, kind: "node_modules" },
    ...workspaces.map(
      (w): ScanRoot => ({ dir: join(w, "node_modules"), source: "project", depth: 1, kind: "node_modules" }),
    ),
    ...userDirs.flatMap((d): ScanRoot[] => [
      { dir: join(d, "node_modules"), source: "user", depth: 0, kind: "node_modules" },
      { dir: d, source: "user", depth: 0, kind: "plugins-dir" },
    ]),
  ];
}
