import { readFileSync } from "node:fs";

// pnpm shortens a long or mixed-case entry name and appends a hash of it; such a name cannot be
// derived from the lockfile's key here, so it is kept.
const HASHED = /_[a-z0-9]{20,}$/;

/**
 * The store entry name pnpm gives a lockfile key (`@scope/name@1.0.0(peer@2.0.0)` →
 * `@scope+name@1.0.0_peer@2.0.0`, `name@file:x.tgz` → `name@file+x.tgz`), as its
 * `depPathToFilename` does for names short enough not to be hashed.
 *
 * @param key - a key of the lockfile's `packages` or `snapshots`
 * @returns the directory name under `node_modules/.pnpm`
 */
export function pnpmEntryName(key: string): string {
  let name = (key.startsWith("/") ? key.slice(1) : key).replace(/[\\/:*?"<>|]/g, "+");
  if (name.includes("(")) name = name.replace(/\)$/, "").replace(/\)\(|\(|\)/g, "_");
  return name;
}

/**
 * A test telling the store entries pnpm currently has installed from orphans it keeps around
 * (pnpm removes unreferenced entries from `node_modules/.pnpm` only after
 * `modules-cache-max-age`, a week by default). Read from the store's own lockfile,
 * `node_modules/.pnpm/lock.yaml`, which pnpm rewrites on every install.
 *
 * @param store - the `node_modules/.pnpm` directory
 * @returns whether an entry is installed, or undefined when there is no such lockfile (every entry counts)
 */
export function pnpmLiveEntries(store: string): ((id: string) => boolean) | undefined {
  let text: string;
  try {
    text = readFileSync(`${store}/lock.yaml`, "utf8");
  } catch {
    return undefined;
  }
  const live = new Set<string>();
  let section = "";
  for (const line of text.split("\n")) {
    if (line.length === 0) continue;
    if (line[0] !== " ") {
      section = line.trimEnd();
      continue;
    }
    if (section !== "packages:" && section !== "snapshots:") continue;
    // A key sits two spaces in: `  name@1.0.0:` or `  '@scope/name@1.0.0(peer@1.0.0)':`.
    const match = /^ {2}(?! )(['"]?)(.+?)\1:(?:\s|$)/.exec(line);
    if (match) live.add(pnpmEntryName(match[2]!));
  }
  if (live.size === 0) return undefined;
  return (id) => live.has(id) || HASHED.test(id) || id.length > 100;
}
