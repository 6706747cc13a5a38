import { statSync } from "node:fs";
import type { PackageGroups } from "./scan-types.js";

const NO_THROW = { throwIfNoEntry: false } as const;

function changedSince(path: string, stamp: number): boolean {
  const stats = statSync(path, NO_THROW);
  return stats !== undefined && stats.ctimeMs >= stamp;
}

/**
 * Whether every package.json a scan read is still as it was: present, and neither changed
 * nor replaced since `stamp` (any write, `utimes`, `chmod` or rename sets a file's ctime to
 * the current time, which `utimes` cannot set back; mtime is not looked at, so a file
 * unpacked with an mtime in the future does not make every start a cold one). A package
 * directory that had no readable package.json must still have none that is new. One `stat` per package, no
 * allocation beyond the path: this is the warm start's whole cost per package.
 *
 * @param groups - package directories, grouped by parent (`[parent, ...relative paths]`)
 * @param missing - package directories whose package.json was absent or unreadable
 * @param stamp - the file system's time when the scan began (ms)
 * @returns true when nothing changed
 * @example
 * ```ts
 * packagesUnchangedSince([["/p/node_modules", "a", "@s/b"]], [], 1.7e12); // true unless edited since
 * ```
 */
export function packagesUnchangedSince(groups: PackageGroups, missing: readonly string[], stamp: number): boolean {
  for (const group of groups) {
    const prefix = `${group[0]}/`;
    for (let i = 1; i < group.length; i++) {
      const stats = statSync(`${prefix}${group[i]}/package.json`, NO_THROW);
      if (stats === undefined || stats.ctimeMs >= stamp) return false;
    }
  }
  // An unreadable package.json made readable, or a new one: its own ctime or its directory's.
  for (const dir of missing) if (changedSince(dir, stamp) || changedSince(`${dir}/package.json`, stamp)) return false;
  return true;
}
