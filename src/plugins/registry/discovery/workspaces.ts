import { type Dirent, readdirSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { type Signature, signatureAt } from "./file-signature.js";
import { pnpmWorkspacePatterns } from "./pnpm-workspace.js";

// `**` stops this deep below where it starts: workspaces are never nested further.
const MAX_DEPTH = 16;

/**
 * Expands `{a,b}` alternatives, as npm's and yarn's glob libraries do.
 *
 * @param pattern - a workspace pattern
 * @returns the patterns it stands for
 * @example
 * ```ts
 * expandBraces("tools/{lint,build}"); // ["tools/lint", "tools/build"]
 * ```
 */
export function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf("{");
  const close = open === -1 ? -1 : pattern.indexOf("}", open);
  if (close === -1) return [pattern];
  const head = pattern.slice(0, open);
  const tail = pattern.slice(close + 1);
  return pattern
    .slice(open + 1, close)
    .split(",")
    .flatMap((choice) => expandBraces(`${head}${choice}${tail}`));
}

/**
 * A regular expression for one path segment with `*` (any run of characters) and `?` (one).
 *
 * @param segment - e.g. `plugin-*`
 * @returns an anchored expression
 */
function segmentExpression(segment: string): string {
  return segment
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*+/g, "[^/]*")
    .replace(/\?/g, "[^/]");
}

/**
 * Matches a relative directory path (`/`-separated) against a whole workspace pattern, where
 * `**` stands for any number of segments, none included.
 *
 * @param pattern - e.g. `packages/**` or `packages/legacy-*`
 * @returns a test for relative paths
 * @example
 * ```ts
 * workspaceMatcher("packages/**")("packages/a/b"); // true
 * ```
 */
export function workspaceMatcher(pattern: string): (relative: string) => boolean {
  const parts = segmentsOf(pattern).map((s) => (s === "**" ? "(?:[^/]+/)*" : `${segmentExpression(s)}/`));
  const expression = new RegExp(`^${parts.join("")}$`);
  return (relative) => expression.test(`${relative}/`);
}

function segmentsOf(pattern: string): string[] {
  return pattern.split(/[\\/]+/).filter((s) => s && s !== ".");
}

function listOf(field: unknown): unknown[] {
  const list = Array.isArray(field) ? field : (field as { packages?: unknown } | undefined)?.packages;
  return Array.isArray(list) ? list : [];
}

/** Splits `workspaces` into positive patterns and `!` exclusions (npm: an odd number of `!`). */
function patternsOf(field: unknown): { include: string[]; exclude: string[] } {
  const list = Array.isArray(field) ? field : (field as { packages?: unknown } | undefined)?.packages;
  const include: string[] = [];
  const exclude: string[] = [];
  if (!Array.isArray(list)) return { include, exclude };
  for (const item of list) {
    if (typeof item !== "string") continue;
    const bangs = /^!*/.exec(item)![0].length;
    const pattern = item.slice(bangs).replace(/^\.?\/+/, "");
    (bangs % 2 === 1 ? exclude : include).push(...expandBraces(pattern));
  }
  return { include, exclude };
}

/**
 * npm/yarn workspace directories of the project: `workspaces` as an array or as
 * `{ packages }`, and pnpm's (`packages` of `pnpm-workspace.yaml`), with `*`, `?`, `{a,b}` and `**` (any depth, never into node_modules or
 * dot-folders), minus those a `!` pattern matches; a workspace is a matching directory with
 * a package.json. Every directory listed or matched is signed into `dirs`, so that a new or
 * removed workspace invalidates the cache.
 *
 * @param root - the project root
 * @param pkg - the root package.json
 * @param dirs - receives directory signatures
 * @returns absolute workspace directories, sorted
 * @example
 * ```ts
 * workspaceDirs("/repo", { workspaces: ["packages/**", "!packages/legacy"] }, {});
 * ```
 */
export function workspaceDirs(root: string, pkg: Record<string, unknown>, dirs: Record<string, Signature>): string[] {
  const { include, exclude } = patternsOf([...listOf(pkg.workspaces), ...pnpmWorkspacePatterns(root)]);
  const excluded = exclude.map(workspaceMatcher);
  const out = new Set<string>();
  for (const pattern of include) {
    for (const relative of expand(root, segmentsOf(pattern), dirs)) {
      if (excluded.some((matches) => matches(relative))) continue;
      const dir = resolve(root, relative);
      dirs[dir] = signatureAt(dir);
      if (statSync(`${dir}/package.json`, { throwIfNoEntry: false })?.isFile()) out.add(dir);
    }
  }
  return [...out].sort();
}

function subdirectories(root: string, relative: string, dirs: Record<string, Signature>, links: boolean): string[] {
  const dir = relative ? `${root}/${relative}` : root;
  dirs[dir] = signatureAt(dir);
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const prefix = relative ? `${relative}/` : "";
  return entries
    .filter((e) => (e.isDirectory() || (links && e.isSymbolicLink())) && e.name !== "node_modules")
    .filter((e) => !e.name.startsWith("."))
    .map((e) => `${prefix}${e.name}`);
}

// Relative paths (no leading `./`, `/`-separated) matching `segments` under `root`.
function expand(root: string, segments: string[], dirs: Record<string, Signature>): string[] {
  let current = [""];
  for (const segment of segments) {
    if (segment === "**") {
      // Zero or more directories: every real directory below, breadth first, bounded.
      const all: string[] = [];
      let level = current;
      for (let depth = 0; level.length > 0 && depth <= MAX_DEPTH; depth++) {
        all.push(...level);
        level = level.flatMap((r) => subdirectories(root, r, dirs, false));
      }
      current = all;
      continue;
    }
    if (!/[*?]/.test(segment)) {
      current = current.map((r) => (r ? `${r}/${segment}` : segment));
      continue;
    }
    const expression = new RegExp(`^${segmentExpression(segment)}$`);
    const named = (relative: string) => expression.test(relative.slice(relative.lastIndexOf("/") + 1));
    current = current.flatMap((r) => subdirectories(root, r, dirs, true).filter(named));
  }
  return [...new Set(current)].filter((r) => r !== "");
}
