import { homedir } from "node:os";
import { delimiter, join, resolve } from "node:path";
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
