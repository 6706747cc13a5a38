import { readFileSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { SYSTEM_PREFIX, toMegabytes } from "../names.js";
import type { Rates } from "../rates.js";
import type { ProcFiles } from "./proc-file.js";
import { type ProcStatLine, parseProcessStat, processTree } from "./process-stat.js";

// USER_HZ: the kernel reports CPU times to user space in 1/100 s on every mainstream architecture.
const TICKS_PER_SECOND = 100;
const P = `${SYSTEM_PREFIX}process_`;
// Built once: a name made per sample would be a new string to hash on every use.
const CPU = `${P}cpu_utilization_percentage`;
const RSS = `${P}memory_rss_megabytes`;
const THREADS = `${P}threads`;

function pageSize(rssPages: number): number {
  // The page size is not exposed to JavaScript: infer it from this process's RSS in bytes,
  // rounded to a power of two (4 KiB on x86-64, 4/16/64 KiB on arm64).
  if (!(rssPages > 0)) return 4096;
  return 2 ** Math.round(Math.log2(process.memoryUsage.rss() / rssPages));
}

/**
 * The tracked process (by default this one): CPU as a percentage of one core (it exceeds 100
 * with several busy threads), resident memory and threads, from `/proc/<pid>/stat`; with
 * `tree`, the same summed over the process and every descendant.
 */
export class ProcessSampler {
  private bytesPerPage: number | undefined;
  private readonly treeTicks = new Map<number, number>();
  private treeAt: number | undefined;
  private readonly statPath: string;
  private readonly ticksKey: string;

  /**
   * @param files - the collector's open files
   * @param rates - the collector's rate tracker
   * @param pid - the tracked process
   * @param tree - also sample its descendants
   */
  constructor(
    private readonly files: ProcFiles,
    private readonly rates: Rates,
    private readonly pid: number,
    private readonly tree: boolean,
  ) {
    this.statPath = `/proc/${pid}/stat`;
    this.ticksKey = `process.${pid}.ticks`;
  }

  /** Whether {@link ProcessSampler.addTree} has anything to add (the `tree` option). */
  get tracksTree(): boolean {
    return this.tree;
  }

  /**
   * Adds the tracked process's figures (synchronous reads of `/proc/<pid>/stat`).
   *
   * @param out - receives the values
   * @param at - when the sample is taken (`performance.now()`)
   * @returns the process's stat line, or undefined when it cannot be read (process gone)
   */
  add(out: Record<string, number>, at: number): ProcStatLine | undefined {
    const text = this.files.tryRead(this.statPath);
    const stat = text === undefined ? undefined : parseProcessStat(text);
    if (!stat) return undefined;
    this.bytesPerPage ??= pageSize(parseProcessStat(readFileSync("/proc/self/stat", "latin1"))?.rssPages ?? 0);
    const ticksPerSecond = this.rates.update(this.ticksKey, stat.ticks, at);
    if (ticksPerSecond !== undefined) out[CPU] = (ticksPerSecond / TICKS_PER_SECOND) * 100;
    out[RSS] = toMegabytes(stat.rssPages * this.bytesPerPage);
    out[THREADS] = stat.threads;
    return stat;
  }

  /**
   * Adds the figures of the tracked process's whole tree. Every process's stat file is read
   * through the thread pool: there may be hundreds, too many to read on the event loop.
   *
   * @param out - receives the values
   * @param at - when the sample is taken (`performance.now()`)
   * @param own - the tracked process's stat line from {@link ProcessSampler.add}
   */
  async addTree(out: Record<string, number>, at: number, own: ProcStatLine): Promise<void> {
    const entries = await readdir("/proc").catch(() => [] as string[]);
    const lines = await Promise.all(
      entries
        .filter((e) => e.charCodeAt(0) >= 48 && e.charCodeAt(0) <= 57)
        .map((e) =>
          readFile(`/proc/${e}/stat`, "latin1").then(parseProcessStat, () => undefined as ProcStatLine | undefined),
        ),
    );
    const members = processTree(
      this.pid,
      lines.filter((l): l is ProcStatLine => l !== undefined),
    );
    let deltaTicks = 0;
    let rssPages = 0;
    let threads = 0;
    const seen = new Map<number, number>();
    for (const found of members) {
      // The tracked process counts as read above, so that the tree is never less than it.
      const m = found.pid === this.pid ? { ...found, ...own } : found;
      // A process born during the interval counts its whole CPU time; one that died drops out.
      deltaTicks += Math.max(0, m.ticks - (this.treeTicks.get(m.pid) ?? 0));
      seen.set(m.pid, m.ticks);
      rssPages += m.rssPages;
      threads += m.threads;
    }
    const previousAt = this.treeAt;
    this.treeTicks.clear();
    for (const [pid, ticks] of seen) this.treeTicks.set(pid, ticks);
    this.treeAt = at;
    out[`${P}tree_count`] = members.length;
    out[`${P}tree_memory_rss_megabytes`] = toMegabytes(rssPages * (this.bytesPerPage ?? 4096));
    out[`${P}tree_threads`] = threads;
    if (previousAt !== undefined && at > previousAt) {
      out[`${P}tree_cpu_utilization_percentage`] = (deltaTicks / TICKS_PER_SECOND / ((at - previousAt) / 1000)) * 100;
    }
  }
}
