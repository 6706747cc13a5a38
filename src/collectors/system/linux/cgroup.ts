import { join } from "node:path";

/** Where this process's memory cgroup files are, and which cgroup version they follow. */
export interface MemoryCgroup {
  /** `2` (unified: memory.max, memory.current) or `1` (memory.limit_in_bytes, memory.usage_in_bytes). */
  version: 1 | 2;
  /** Candidate directories, most specific first (the process's own cgroup, then the mount root). */
  dirs: string[];
}

interface Mount {
  root: string;
  point: string;
  fsType: string;
  superOptions: string[];
}

function parseMountInfo(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const line of text.split("\n")) {
    const sep = line.indexOf(" - ");
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(" ");
    const right = line.slice(sep + 3).split(" ");
    mounts.push({ root: left[3], point: left[4], fsType: right[0], superOptions: (right[2] ?? "").split(",") });
  }
  return mounts;
}

function within(mount: Mount, cgroupPath: string): string[] {
  const relative =
    mount.root !== "/" && cgroupPath.startsWith(mount.root) ? cgroupPath.slice(mount.root.length) : cgroupPath;
  const own = join(mount.point, relative).replace(/(.)\/+$/, "$1");
  return own === mount.point ? [own] : [own, mount.point];
}

/**
 * Finds this process's memory cgroup from `/proc/self/cgroup` and `/proc/self/mountinfo`:
 * cgroup v2 when the unified hierarchy is mounted and the process is in it with a memory
 * controller, else the v1 `memory` hierarchy.
 *
 * @param cgroupText - content of `/proc/self/cgroup`
 * @param mountInfoText - content of `/proc/self/mountinfo`
 * @returns the cgroup, or undefined when there is none to read
 */
export function findMemoryCgroup(cgroupText: string, mountInfoText: string): MemoryCgroup | undefined {
  const mounts = parseMountInfo(mountInfoText);
  let v1Path: string | undefined;
  let v2Path: string | undefined;
  for (const line of cgroupText.split("\n")) {
    const [, controllers, path] = line.split(":");
    if (path === undefined) continue;
    if (controllers === "" && line.startsWith("0::")) v2Path = line.slice(3);
    else if (controllers.split(",").includes("memory")) v1Path = path;
  }
  if (v1Path !== undefined) {
    const mount = mounts.find((m) => m.fsType === "cgroup" && m.superOptions.includes("memory"));
    if (mount) return { version: 1, dirs: within(mount, v1Path) };
  }
  if (v2Path !== undefined) {
    const mount = mounts.find((m) => m.fsType === "cgroup2");
    if (mount) return { version: 2, dirs: within(mount, v2Path) };
  }
  return undefined;
}

/**
 * The file names of one cgroup version.
 *
 * @param version - 1 or 2
 * @returns the limit and usage files, and the `memory.stat` key of the inactive file cache
 */
export function cgroupFiles(version: 1 | 2): { limit: string; usage: string; inactiveKey: string } {
  return version === 2
    ? { limit: "memory.max", usage: "memory.current", inactiveKey: "inactive_file" }
    : { limit: "memory.limit_in_bytes", usage: "memory.usage_in_bytes", inactiveKey: "total_inactive_file" };
}

/**
 * Reads a limit file: `max` (v2) means no limit.
 *
 * @param text - content of memory.max or memory.limit_in_bytes
 * @returns bytes, or undefined for no limit
 */
export function parseLimit(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === "max") return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * Reads one key of a `memory.stat` file.
 *
 * @param text - content of memory.stat
 * @param key - e.g. `inactive_file`
 * @returns the value, or 0 when absent
 */
export function statValue(text: string, key: string): number {
  const prefix = `${key} `;
  for (const line of text.split("\n")) {
    if (line.startsWith(prefix)) return Number.parseInt(line.slice(prefix.length), 10) || 0;
  }
  return 0;
}
