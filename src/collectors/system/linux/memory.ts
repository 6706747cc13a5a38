import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cgroupFiles, findMemoryCgroup, type MemoryCgroup, parseLimit, statValue } from "./cgroup.js";
import type { ProcFiles } from "./proc-file.js";

/** Memory figures in bytes. */
export interface MemoryReading {
  /** Total memory visible to this process (the cgroup limit when lower than the host's). */
  total: number;
  /** Used memory (cgroup: usage minus inactive page cache, as `docker stats` shows). */
  used: number;
  /** Memory available for new allocations. */
  available: number;
  /** Swap size. */
  swapTotal: number;
  /** Swap in use. */
  swapUsed: number;
  /** Whether the figures come from a cgroup limit. */
  cgroupLimited: boolean;
}

const MEMINFO_KEYS = ["MemTotal", "MemFree", "MemAvailable", "Cached", "SwapTotal", "SwapFree"] as const;

/**
 * Reads the keys of `/proc/meminfo` the collector uses, in bytes (`kB` converted).
 *
 * @param text - the file's content
 * @returns values in bytes by key (a key the kernel does not show is absent)
 */
export function parseMemInfo(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of MEMINFO_KEYS) {
    const at = text.indexOf(`${key}:`);
    if (at < 0 || (at > 0 && text.charCodeAt(at - 1) !== 10)) continue;
    const value = Number.parseInt(text.slice(at + key.length + 1, at + key.length + 40).trimStart(), 10);
    if (Number.isFinite(value)) out[key] = value * 1024;
  }
  return out;
}

/**
 * Combines host and cgroup figures: inside a container whose memory limit is below the host's
 * memory, the limit is the total and the cgroup's usage is what is used.
 *
 * @param info - parsed `/proc/meminfo`
 * @param cgroup - the cgroup's limit, usage and inactive file cache, when readable
 * @returns the reading
 */
export function combineMemory(
  info: Record<string, number>,
  cgroup?: { limit: number | undefined; usage: number; inactiveFile: number },
): MemoryReading {
  const hostTotal = info.MemTotal ?? 0;
  const hostAvailable = info.MemAvailable ?? (info.MemFree ?? 0) + (info.Cached ?? 0);
  const swapTotal = info.SwapTotal ?? 0;
  const swapUsed = Math.max(0, swapTotal - (info.SwapFree ?? 0));
  if (cgroup?.limit !== undefined && cgroup.limit > 0 && cgroup.limit < hostTotal) {
    const used = Math.max(0, cgroup.usage - cgroup.inactiveFile);
    const available = Math.max(0, Math.min(cgroup.limit - used, hostAvailable));
    return { total: cgroup.limit, used, available, swapTotal, swapUsed, cgroupLimited: true };
  }
  return {
    total: hostTotal,
    used: Math.max(0, hostTotal - hostAvailable),
    available: hostAvailable,
    swapTotal,
    swapUsed,
    cgroupLimited: false,
  };
}

const LIMIT_RECHECK_MS = 30_000;

function readOnce(path: string): string | undefined {
  try {
    return readFileSync(path, "latin1");
  } catch {
    return undefined;
  }
}

/** Reads memory from `/proc/meminfo` and this process's memory cgroup (v2, else v1). */
export class MemoryReader {
  private cgroup: MemoryCgroup | undefined;
  private cgroupDir: string | undefined;
  private limit: number | undefined;
  private limitCheckedAt = Number.NEGATIVE_INFINITY;
  private limitFile = "";
  private usageFile = "";
  private statFile = "";

  /** @param files - the collector's open files */
  constructor(private readonly files: ProcFiles) {}

  /** Locates the cgroup once (call before the first {@link MemoryReader.read}). */
  locate(): void {
    // Read once per run: not kept open like the files read on every sample.
    const cg = readOnce("/proc/self/cgroup");
    const mounts = readOnce("/proc/self/mountinfo");
    this.cgroup = cg && mounts ? findMemoryCgroup(cg, mounts) : undefined;
    if (!this.cgroup) return;
    const { limit } = cgroupFiles(this.cgroup.version);
    for (const dir of this.cgroup.dirs) {
      if (this.files.tryRead(join(dir, limit)) !== undefined) {
        this.cgroupDir = dir;
        this.limitFile = join(dir, limit);
        this.usageFile = join(dir, cgroupFiles(this.cgroup.version).usage);
        this.statFile = join(dir, "memory.stat");
        return;
      }
    }
  }

  /** Which cgroup files are read, for the status. */
  get source(): string {
    return this.cgroupDir ? `cgroup v${this.cgroup?.version} ${this.cgroupDir}` : "/proc/meminfo";
  }

  /** @returns the current reading */
  read(): MemoryReading {
    const parsed = parseMemInfo(this.files.read("/proc/meminfo"));
    if (!this.cgroupDir || !this.cgroup) return combineMemory(parsed);
    const now = performance.now();
    // A limit rarely changes: it is re-read at most every LIMIT_RECHECK_MS.
    if (now - this.limitCheckedAt >= LIMIT_RECHECK_MS) {
      const text = this.files.tryRead(this.limitFile);
      this.limit = text === undefined ? undefined : parseLimit(text);
      this.limitCheckedAt = now;
    }
    const limit = this.limit;
    // Usage and memory.stat only matter when the limit binds; most hosts never read them.
    if (limit === undefined || limit >= (parsed.MemTotal ?? 0)) return combineMemory(parsed);
    const usage = this.files.tryRead(this.usageFile);
    if (usage === undefined) return combineMemory(parsed);
    const stat = this.files.tryRead(this.statFile);
    const inactiveKey = cgroupFiles(this.cgroup.version).inactiveKey;
    const cgroup = { limit, usage: Number(usage.trim()), inactiveFile: stat ? statValue(stat, inactiveKey) : 0 };
    return combineMemory(parsed, cgroup);
  }
}
