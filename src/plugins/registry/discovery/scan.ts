import { type Dirent, existsSync, lstatSync, readdirSync, readlinkSync, realpathSync } from "node:fs";
import { basename, dirname } from "node:path";
import { signatureAt } from "./file-signature.js";
import { packageNameOfPnpmId } from "./pnpm-id.js";
import { pnpmLiveEntries } from "./pnpm-live.js";
import { type PackageText, readPackageText } from "./read-package-text.js";
import type { ScanResult, ScanRoot } from "./scan-types.js";

const NO_THROW = { throwIfNoEntry: false } as const;
const DOT = 46;
const AT = 64;
// A `.` or `..` path segment: a link target holding one is resolved by realpath(3).
const DOT_SEGMENT = /(?:^|\/)\.\.?(?:\/|$)/;

// Whether a directory of this name, listed in a node_modules folder, is visited as a package.
function visitedPlainly(name: string): boolean {
  return name !== "node_modules" && !name.startsWith(".") && !name.startsWith("@");
}

// One shape for every place in the queue (the walk's hot code then sees a single object map).
class Place {
  constructor(
    readonly dir: string,
    readonly real: string | undefined,
    readonly source: ScanRoot["source"],
    readonly depth: number,
    readonly kind: ScanRoot["kind"],
    readonly nested: boolean,
  ) {}
}

// The walk's state. Methods rather than closures, so that optimized code survives from one
// discovery to the next.
class Walk {
  readonly queue: Place[];
  // Real directories whose entries are (being) visited as plain packages.
  readonly listed = new Set<string>();
  // Real paths of packages reached another way: through a symlink, or pnpm's store.
  readonly claimed = new Set<string>();
  // Real paths of pnpm (or Bun) stores, by the path they were reached at ("" when unresolvable).
  private readonly stores = new Map<string, string>();
  readonly result: ScanResult = { candidates: [], dirs: {}, packages: [], missing: [], packagesSeen: 0 };
  private group: string[] | undefined;

  constructor(roots: readonly ScanRoot[]) {
    this.queue = roots.map((r) => new Place(r.dir, undefined, r.source, r.depth, r.kind, true));
  }

  run(): ScanResult {
    for (let i = 0; i < this.queue.length; i++) {
      const place = this.queue[i]!;
      let real: string;
      try {
        real = place.real ?? realpathSync.native(place.dir);
      } catch {
        this.result.dirs[place.dir] = signatureAt(place.dir);
        continue;
      }
      if (!this.listed.has(real)) this.visitModules(place, place.dir, real);
    }
    return this.result;
  }

  private list(dir: string): Dirent[] | undefined {
    // Signature first, listing second: a change in between makes the cache look stale, never fresh.
    this.result.dirs[dir] = signatureAt(dir);
    try {
      return readdirSync(dir, { withFileTypes: true });
    } catch {
      return undefined;
    }
  }

  // Reads one package's package.json; `real` is `parent/rel`. Returns whether it was there.
  private readPackage(place: Place, real: string, parent: string, rel: string, nested: boolean): boolean {
    return this.record(place, real, parent, rel, nested, readPackageText(`${real}/package.json`));
  }

  // Records what one package's package.json held (see readPackage).
  private record(
    place: Place,
    real: string,
    parent: string,
    rel: string,
    nested: boolean,
    found: PackageText,
  ): boolean {
    const result = this.result;
    result.packagesSeen++;
    if (found.kind === "absent") {
      result.missing.push(real);
      return false;
    }
    // Packages arrive directory by directory, so consecutive ones share a group.
    if (this.group === undefined || this.group[0] !== parent) {
      this.group = [parent];
      result.packages.push(this.group);
    }
    this.group.push(rel);
    if (found.kind !== "plain") {
      const text = found.kind === "candidate" ? found.text : undefined;
      const size = found.kind === "candidate" ? found.text.length : found.size;
      result.candidates.push({ dir: real, source: place.source, depth: place.depth, text, size });
    }
    if (nested) {
      const inner = `${real}/node_modules`;
      const stats = lstatSync(inner, NO_THROW);
      if (stats !== undefined && (stats.isDirectory() || stats.isSymbolicLink())) {
        const known = stats.isDirectory() ? inner : undefined;
        this.queue.push(new Place(inner, known, place.source, place.depth + 1, "node_modules", true));
      }
    }
    return true;
  }

  // A directory listed under a real one: its real path is known, and no other plain visit
  // reaches it (each real directory is listed once), so only other routes need checking.
  private visitPlain(place: Place, parent: string, name: string): void {
    const real = `${parent}/${name}`;
    if (this.claimed.size !== 0 && this.claimed.has(real)) return;
    this.readPackage(place, real, parent, name, place.nested);
  }

  // A symlinked package (npm link, workspaces, pnpm's top level). Its own node_modules holds
  // its dev dependencies, not the project's: not scanned. `realParent` is the real directory
  // the link lies in.
  private visitLinked(place: Place, path: string, realParent: string): void {
    const stored = this.storeTarget(path, realParent);
    let real: string;
    if (stored !== undefined) {
      real = stored;
    } else {
      try {
        real = realpathSync.native(path);
      } catch {
        return; // broken link or loop: nothing to read
      }
    }
    const parent = dirname(real);
    const name = basename(real);
    if (this.claimed.has(real) || (this.listed.has(parent) && visitedPlainly(name))) return;
    const found = readPackageText(`${real}/package.json`);
    // A dangling link into the store: nothing to read, as when realpath(3) fails.
    if (stored !== undefined && found.kind === "absent" && !existsSync(real)) return;
    this.claimed.add(real);
    this.record(place, real, parent, name, false, found);
  }

  // pnpm (and Bun's isolated installs) link each top-level package to
  // `.pnpm/<id>/node_modules/<name>` (`../.pnpm/…` from a scope folder): the very path the store
  // walk reads, whose real path it takes as known. One readlink(2) then stands for realpath(3),
  // which reads every component of the path. Any other target: undefined.
  private storeTarget(path: string, realParent: string): string | undefined {
    let target: string;
    try {
      target = readlinkSync(path);
    } catch {
      return undefined;
    }
    let base = realParent;
    if (target.startsWith("../")) {
      base = dirname(base);
      target = target.slice(3);
    }
    const slash = target.indexOf("/");
    const store = slash === -1 ? "" : target.slice(0, slash);
    if (store !== ".pnpm" && store !== ".bun") return undefined;
    const inner = target.slice(slash + 1);
    const id = inner.slice(0, inner.indexOf("/"));
    const name = packageNameOfPnpmId(id);
    if (name === undefined || inner !== `${id}/node_modules/${name}` || DOT_SEGMENT.test(inner)) return undefined;
    const realStore = this.realStore(`${base}/${store}`);
    return realStore === undefined ? undefined : `${realStore}/${inner}`;
  }

  private realStore(store: string): string | undefined {
    let real = this.stores.get(store);
    if (real === undefined) {
      try {
        real = realpathSync.native(store);
      } catch {
        real = "";
      }
      this.stores.set(store, real);
    }
    return real === "" ? undefined : real;
  }

  private visitPnpmStore(place: Place, store: string): void {
    const ids = this.list(store);
    if (!ids) return;
    const realStore = realpathSync.native(store);
    const inStore = new Place(store, realStore, place.source, place.depth + 1, place.kind, false);
    const live = store.endsWith(".pnpm") ? pnpmLiveEntries(realStore) : undefined;
    for (const id of ids) {
      if (!id.isDirectory() || id.name === "node_modules") continue;
      // An orphan pnpm keeps for a while after an uninstall or upgrade is not installed.
      if (live !== undefined && !live(id.name)) continue;
      const name = packageNameOfPnpmId(id.name);
      // Fast path: the id names its package, so no listing is needed; fall back when it does not.
      if (name) {
        const rel = `${id.name}/node_modules/${name}`;
        const real = `${realStore}/${rel}`;
        if (this.claimed.has(real)) continue;
        this.claimed.add(real);
        if (this.readPackage(inStore, real, realStore, rel, false)) continue;
      }
      const modules = `${realStore}/${id.name}/node_modules`;
      this.visitModules(inStore, modules, modules);
    }
  }

  private visitModules(place: Place, dir: string, realDir: string): void {
    const entries = this.list(dir);
    if (!entries) return;
    this.listed.add(realDir);
    for (const entry of entries) {
      const name = entry.name;
      const first = name.charCodeAt(0);
      if (first === DOT) {
        // pnpm's store, and Bun's in isolated installs (`--linker isolated`), laid out alike.
        if ((name === ".pnpm" || name === ".bun") && place.kind === "node_modules") {
          this.visitPnpmStore(place, `${dir}/${name}`);
        }
      } else if (first === AT) {
        this.visitScope(place, dir, realDir, entry);
      } else if (name === "node_modules") {
        // pnpm's hoisting folder inside its store, or a stray one: dependencies of nothing here
      } else if (entry.isDirectory()) {
        this.visitPlain(place, realDir, name);
      } else if (place.nested && entry.isSymbolicLink()) {
        // pnpm store entries hold symlinks to their dependencies, which the store walk visits anyway.
        this.visitLinked(place, `${dir}/${name}`, realDir);
      }
    }
  }

  private visitScope(place: Place, dir: string, realDir: string, scope: Dirent): void {
    const scopeDir = `${dir}/${scope.name}`;
    const scoped = this.list(scopeDir);
    if (!scoped) return;
    let realScope: string;
    try {
      realScope = scope.isSymbolicLink() ? realpathSync.native(scopeDir) : `${realDir}/${scope.name}`;
    } catch {
      return;
    }
    this.listed.add(realScope);
    for (const entry of scoped) {
      if (entry.isDirectory()) this.visitPlain(place, realScope, entry.name);
      else if (place.nested && entry.isSymbolicLink()) this.visitLinked(place, `${scopeDir}/${entry.name}`, realScope);
    }
  }
}

/**
 * Walks node_modules trees as npm, Yarn, pnpm and Bun leave them, breadth first so that the
 * nearest copy of a real package is the one kept: hoisted, scoped, nested, pnpm's
 * `.pnpm/<id>/node_modules/<name>` store (and Bun's `.bun/<id>/…`), symlinked (linked, workspace) packages. Each real
 * directory is visited once, which also makes symlink loops harmless. Reads package.json
 * text only, and parses nothing; unreadable places are skipped.
 *
 * @param roots - where to start
 * @returns candidates, and what a cache needs to be checked later
 * @example
 * ```ts
 * const { candidates } = scanRoots([{ dir: "/p/node_modules", source: "project", depth: 0, kind: "node_modules" }]);
 * ```
 */
export function scanRoots(roots: readonly ScanRoot[]): ScanResult {
  return new Walk(roots).run();
}
