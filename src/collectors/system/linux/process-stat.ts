/** Figures of one process from `/proc/<pid>/stat`. */
export interface ProcStatLine {
  /** Process id. */
  pid: number;
  /** Parent process id. */
  ppid: number;
  /** User plus system CPU time, in clock ticks. */
  ticks: number;
  /** Number of threads. */
  threads: number;
  /** Resident set size, in pages. */
  rssPages: number;
}

/**
 * Parses `/proc/<pid>/stat`. The command name may contain spaces and parentheses, so the
 * fields are counted from the last `)`.
 *
 * @param text - the file's content
 * @returns the figures, or undefined when the text is not a stat line
 */
export function parseProcessStat(text: string): ProcStatLine | undefined {
  const close = text.lastIndexOf(")");
  if (close < 0) return undefined;
  const pid = Number.parseInt(text, 10);
  // After ") ": state(3) ppid(4) ... utime(14) stime(15) ... num_threads(20) ... rss(24). Only
  // the fields up to rss are cut out (the line has 52).
  const f: number[] = [];
  let at = close + 2;
  for (let n = 3; n <= 24; n++) {
    if (at > text.length) {
      f.push(Number.NaN);
      continue;
    }
    let end = text.indexOf(" ", at);
    if (end < 0) end = text.length;
    f.push(n === 3 ? 0 : Number(text.slice(at, end)));
    at = end + 1;
  }
  const field = (n: number) => f[n - 3];
  return {
    pid,
    ppid: field(4),
    ticks: field(14) + field(15),
    threads: field(20),
    rssPages: field(24),
  };
}

/**
 * The pids of a process and all its descendants.
 *
 * @param root - the tree's root pid
 * @param stats - every process's stat line
 * @returns the stat lines of the tree (root included when present)
 */
export function processTree(root: number, stats: readonly ProcStatLine[]): ProcStatLine[] {
  const children = new Map<number, ProcStatLine[]>();
  for (const s of stats) {
    const list = children.get(s.ppid);
    if (list) list.push(s);
    else children.set(s.ppid, [s]);
  }
  const out = stats.filter((s) => s.pid === root);
  for (let i = 0; i < out.length; i++) {
    for (const child of children.get(out[i].pid) ?? []) out.push(child);
  }
  return out;
}
