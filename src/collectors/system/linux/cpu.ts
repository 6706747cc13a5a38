/** Jiffies of one CPU line of `/proc/stat`: busy and total. */
export interface CpuTimes {
  /** Non-idle jiffies (user, nice, system, irq, softirq, steal). */
  busy: number;
  /** All jiffies (busy plus idle and iowait). */
  total: number;
}

/** What `/proc/stat` holds that the system collector uses. */
export interface ProcStat {
  /** The aggregate `cpu` line. */
  total: CpuTimes;
  /** One entry per `cpuN` line, in order. */
  cores: CpuTimes[];
}

function timesOf(fields: string[]): CpuTimes {
  // user nice system idle iowait irq softirq steal [guest guest_nice]: guest time is already
  // counted in user and nice, so it is left out.
  const n = (i: number) => Number(fields[i] ?? 0) || 0;
  const idle = n(4) + n(5);
  const busy = n(1) + n(2) + n(3) + n(6) + n(7) + n(8);
  return { busy, total: busy + idle };
}

/**
 * Parses the CPU lines of `/proc/stat`.
 *
 * @param text - the file's content
 * @param perCore - also parse the `cpuN` lines (default true); without, `cores` is empty,
 *   which saves splitting one line per core on every sample of a many-core machine
 * @returns aggregate and per-core jiffies
 */
export function parseProcStat(text: string, perCore = true): ProcStat {
  const cores: CpuTimes[] = [];
  let total: CpuTimes = { busy: 0, total: 0 };
  // Only the leading cpu lines are read: the rest of the file (the long `intr` line) is skipped.
  let start = 0;
  while (text.startsWith("cpu", start)) {
    const end = text.indexOf("\n", start);
    const fields = text.slice(start, end < 0 ? undefined : end).split(" ");
    if (fields[1] === "") fields.splice(1, 1);
    if (fields[0] === "cpu") total = timesOf(fields);
    else cores.push(timesOf(fields));
    if (end < 0 || !perCore) break;
    start = end + 1;
  }
  return { total, cores };
}

/**
 * Percentage of busy time between two readings; `undefined` when no time passed.
 *
 * @param before - the earlier reading
 * @param after - the later reading
 * @returns 0–100, or undefined
 */
export function busyPercent(before: CpuTimes, after: CpuTimes): number | undefined {
  const total = after.total - before.total;
  if (!(total > 0)) return undefined;
  const busy = Math.max(0, after.busy - before.busy);
  return Math.min(100, (busy / total) * 100);
}

/**
 * Parses `/proc/loadavg`.
 *
 * @param text - the file's content
 * @returns the 1, 5 and 15 minute load averages
 */
export function parseLoadAvg(text: string): [number, number, number] {
  const [a, b, c] = text.split(" ");
  return [Number(a), Number(b), Number(c)];
}
