import { statSync } from "node:fs";

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
 * @param groups - package directories, grouped by parent: each group is the parent and the
 *   paths relative to it, joined by NUL (see `joinGroup`); anything else counts as a change
 * @param missing - package directories whose package.json was absent or unreadable
 * @param stamp - the file system's time when the scan began (ms)
 * @returns true when nothing changed
 * @example
 * ```ts
 * packagesUnchangedSince(["/p/node_modules\0a\0@s/b"], [], 1.7e12); // true unless edited since
 * ```
 */
export function packagesUnchangedSince(
  groups: readonly unknown[],
  missing: readonly unknown[],
  stamp: number,
): boolean {
  for (const group of groups) {
    if (typeof group !== "string") return false;
    const [parent, ...paths] = group.split("\0");
    for (const path of paths) {
      const stats = statSync(`${parent}/${path}/package.json`, NO_THROW);
      if (stats === undefined || stats.ctimeMs >= stamp) return false;
    }
  }
  // An unreadable package.json made readable, or a new one: its own ctime or its directory's.
  for (const dir of missing) {
    if (typeof dir !== "string" || changedSince(dir, stamp) || changedSince(`${dir}/package.json`, stamp)) return false;
  }
  return true;
}

/**
 * One group of package directories as a cache keeps it: the parent and the paths relative to
 * it, joined by NUL.
 *
 * @param group - `[parent, ...relative paths]`
 * @returns the joined group
 */
export function joinGroup(group: readonly string[]): string {
  return group.join("\0");
}
