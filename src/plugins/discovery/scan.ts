import { type Dirent, lstatSync, readdirSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { signatureAt } from "./file-signature.js";
import { packageNameOfPnpmId } from "./pnpm-id.js";
import { readPackageText } from "./read-package-text.js";
import type { ScanResult, ScanRoot } from "./scan-types.js";

interface Queued extends ScanRoot {
  /** The directory's real path, when already known. */
  real?: string;
  /** Whether packages found here may hold nested node_modules worth scanning. */
  nested: boolean;
}

/**
 * Walks node_modules trees as npm, yarn and pnpm leave them, breadth first so that the
 * nearest copy of a real package is the one kept: hoisted, scoped, nested, pnpm's
 * `.pnpm/<id>/node_modules/<name>` store, symlinked (linked, workspace) packages. Each real
 * directory is visited once, which also makes symlink loops harmless. Reads package.json
 * text only, and parses nothing; unreadable places are skipped.
 *
 * @param roots - where to start
 * @returns candidates and the signatures needed to validate a cache later
 */
export function scanRoots(roots: readonly ScanRoot[]): ScanResult {
  const queue: Queued[] = roots.map((r) => ({ ...r, nested: true }));
  const seenDirs = new Set<string>();
  const seenPackages = new Set<string>();
  const result: ScanResult = { candidates: [], dirs: {}, packagesSeen: 0 };

  const list = (dir: string): Dirent[] | undefined => {
    // Signature first, listing second: a change in between makes the cache look stale, never fresh.
    result.dirs[dir] = signatureAt(dir);
    try {
      return readdirSync(dir, { withFileTypes: true });
    } catch {
      return undefined;
    }
  };

  // `known` is the real path when the caller knows it (a plain directory under a real one);
  // otherwise `path` is a symlink to resolve. Returns whether a package.json was there.
  const visitPackage = (root: Queued, path: string, known: string | undefined, nested: boolean): boolean => {
    let real = known;
    if (real === undefined) {
      try {
        real = realpathSync.native(path);
      } catch {
        return false; // broken link or loop: nothing to read
      }
    }
    const linked = known === undefined;
    if (seenPackages.has(real)) return true;
    seenPackages.add(real);
    result.packagesSeen++;
    const found = readPackageText(`${real}/package.json`);
    if (found.kind === "candidate") {
      result.candidates.push({
        dir: real,
        source: root.source,
        depth: root.depth,
        text: found.text,
        size: found.text.length,
        stats: found.stats,
      });
    } else if (found.kind === "too-large") {
      result.candidates.push({
        dir: real,
        source: root.source,
        depth: root.depth,
        size: found.size,
        stats: found.stats,
      });
    } else if (found.kind === "absent") {
      return false;
    }
    // Linked packages (npm link, workspaces) carry their own dev dependencies: not the project's.
    if (nested && !linked) {
      const inner = `${real}/node_modules`;
      const stats = lstatSync(inner, { throwIfNoEntry: false });
      if (stats?.isDirectory() || stats?.isSymbolicLink()) {
        const real = stats.isDirectory() ? inner : undefined;
        queue.push({ ...root, dir: inner, real, depth: root.depth + 1, kind: "node_modules", nested: true });
      }
    }
    return true;
  };

  const visitPnpmStore = (root: Queued, store: string): void => {
    const ids = list(store);
    if (!ids) return;
    const realStore = realpathSync.native(store);
    const inStore: Queued = { ...root, depth: root.depth + 1, nested: false };
    for (const id of ids) {
      if (!id.isDirectory() || id.name === "node_modules") continue;
      const name = packageNameOfPnpmId(id.name);
      const modules = `${realStore}/${id.name}/node_modules`;
      // Fast path: the id names its package, so no listing is needed; fall back when it does not.
      if (!name || !visitPackage(inStore, `${modules}/${name}`, `${modules}/${name}`, false)) {
        visitModules(inStore, modules, modules, false);
      }
    }
  };

  const visitEntry = (root: Queued, dir: string, realDir: string, entry: Dirent, nested: boolean): void => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) visitPackage(root, path, `${realDir}/${entry.name}`, nested);
    // pnpm store entries hold symlinks to their dependencies, which the store walk visits anyway.
    else if (entry.isSymbolicLink() && nested) visitPackage(root, path, undefined, nested);
  };

  const visitModules = (root: Queued, dir: string, realDir: string, nested: boolean): void => {
    const entries = list(dir);
    if (!entries) return;
    for (const entry of entries) {
      const name = entry.name;
      if (name.startsWith(".")) {
        if (name === ".pnpm" && root.kind === "node_modules") visitPnpmStore(root, join(dir, name));
        continue;
      }
      if (name === "node_modules") continue;
      if (name.startsWith("@")) {
        const scopeDir = join(dir, name);
        const scoped = list(scopeDir);
        if (!scoped) continue;
        let realScope: string;
        try {
          realScope = entry.isSymbolicLink() ? realpathSync.native(scopeDir) : join(realDir, name);
        } catch {
          continue;
        }
        for (const inner of scoped) visitEntry(root, scopeDir, realScope, inner, nested);
        continue;
      }
      visitEntry(root, dir, realDir, entry, nested);
    }
  };

  for (let i = 0; i < queue.length; i++) {
    const item = queue[i]!;
    let real: string;
    try {
      real = item.real ?? realpathSync.native(item.dir);
    } catch {
      result.dirs[item.dir] = signatureAt(item.dir);
      continue;
    }
    if (seenDirs.has(real)) continue;
    seenDirs.add(real);
    visitModules(item, item.dir, real, item.nested);
  }
  return result;
}
