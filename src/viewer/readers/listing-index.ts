import { readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { isAbsolute, join, sep } from "node:path";
import { readSummary } from "../../backends/jsonl/run-summary.js";
import { DirWatch } from "./dir-watch.js";

/**
 * The file, at the root of a runs directory, where listings keep what they read of every run
 * directory, so the next listing (another process too) reads one file instead of four per run.
 */
export const LISTING_INDEX_FILE = ".tracelet-listing.json";

/** Format version of {@link LISTING_INDEX_FILE}: a file of another version is rebuilt. */
const VERSION = 1;

/**
 * A run directory's metadata is trusted from an earlier read only when the directory was last
 * changed this long before that read: a change within the same tick of the file system's clock
 * leaves the modification time as it was (the "racy" case of git's index).
 */
export const RACY_MS = 1_000;

/**
 * The least time between two writes of the index by one long-lived reader (`tracelet ui` lists
 * every 2 s, and a live run changes its directory as often): the index is a cache, and an entry
 * it lacks costs the next process only that run's reads.
 */
const SAVE_EVERY_MS = 10_000;

/**
 * A metric of one writer as a listing keeps it: `[count, last, lastStep, lastTime, min, max]`,
 * non-finite values as the strings `"NaN"`, `"Infinity"`, `"-Infinity"` (JSON has no others).
 */
export type StoredStat = [number, number | string, number, number, number | string | null, number | string | null];

/** What a listing keeps of one writer's summary (`summary[.<role>-<worker>].json`). */
export interface WriterDocs {
  key: string;
  role: string;
  workerId: number;
  pid?: number;
  host?: string;
  status: string;
  heartbeatAt?: string;
  metrics: Record<string, StoredStat>;
}

/** What a listing reads of a run directory: `run.json` (the fields a row shows), `params.json`, the summaries. */
export interface RunDocs {
  runFile: {
    runId?: string;
    project?: string;
    name?: string;
    status?: string;
    pid?: number;
    hostname?: string;
    heartbeatAt?: string;
    startedAt?: string;
    endedAt?: string;
    tags?: Record<string, string>;
    error?: { code: string; message: string };
    signal?: string;
  };
  params: Record<string, unknown>;
  writers: WriterDocs[];
}

/** One run directory in the index: its docs and what the directory was when they were read. */
interface Entry {
  /** Modification time and inode of the directory, from a `stat` made before the reads. */
  mtimeMs: number;
  ino: number;
  /** When the reads began (ms, this machine's clock). */
  readAt: number;
  docs: RunDocs;
}

/**
 * The listing index of a runs directory: the metadata of each run directory, in memory and in
 * {@link LISTING_INDEX_FILE}, each entry checked against a `stat` of its directory before use.
 *
 * Why a `stat` is enough: the `jsonl` backend replaces `run.json`, `params.json` and each
 * summary by writing a temporary file and renaming it, which changes the directory's
 * modification time (appending points to a metrics file does not, and listing never reads
 * those). An entry is used only when the directory's modification time and inode are those seen
 * before it was read and that time was over {@link RACY_MS} before the read; anything else (a
 * new, changed or racy directory, an entry or file that does not parse, another version, an
 * index written for other inodes after a copy of the tree) is read again from the run's files.
 * Many processes may list and write runs at once: each writes the whole index to a temporary
 * file and renames it, so a reader sees one writer's index whole; an entry lost to another
 * writer's rename is read again next time. An index that cannot be written (a read-only
 * directory) only costs the next listing its reads.
 */
export class ListingIndex {
  private entries: Map<string, Entry> | undefined;
  private dirty = false;
  private savedAt = Number.NEGATIVE_INFINITY;

  private readonly watch: DirWatch | undefined;
  /** The last reading of each directory {@link ListingIndex.entriesOf} was asked for (in memory only). */
  private readonly listings = new Map<string, string[]>();

  /**
   * @param root - the runs directory (holding `<project>/<runId>/`)
   * @param options - `watch`: a long-lived reader (`tracelet ui`) watches the run directories
   *   for changes and takes an unchanged one without a `stat` (see {@link DirWatch})
   */
  constructor(
    readonly root: string,
    options: { watch?: boolean } = {},
  ) {
    this.watch = options.watch ? new DirWatch(root) : undefined;
  }

  /**
   * The docs of a run directory: from the index while the directory is unchanged, else read
   * from its files (and kept). `undefined` when it is not a run directory (no readable `run.json`).
   *
   * @param dir - the run directory (under the root or anywhere else, e.g. named on the command line)
   * @param key - its key, `<project>/<runId>` for a directory of the root (default: from `dir`)
   * @returns its docs
   */
  docs(dir: string, key = this.keyOf(dir)): RunDocs | undefined {
    const entries = this.load();
    const known = entries.get(key);
    if (known && this.watch?.quiet(dir)) return known.docs;
    // Watched before the check and the reads: a change made during them is notified.
    const checked = this.watch?.arm(dir);
    const readAt = Date.now();
    let mtimeMs: number;
    let ino: number;
    try {
      ({ mtimeMs, ino } = statSync(dir));
    } catch {
      this.watch?.forget(dir);
      if (entries.delete(key)) this.dirty = true;
      return undefined;
    }
    if (known && known.mtimeMs === mtimeMs && known.ino === ino && known.readAt - mtimeMs > RACY_MS) {
      checked?.();
      return known.docs;
    }
    const docs = readRunDocs(dir);
    // A racy entry is kept in memory (this process reads it again next time) but rewriting the
    // file for it would only make the next process read it again too.
    if (docs) entries.set(key, { mtimeMs, ino, readAt, docs });
    else {
      entries.delete(key);
      this.watch?.forget(dir);
    }
    if (docs ? readAt - mtimeMs > RACY_MS : known !== undefined) this.dirty = true;
    if (docs) checked?.();
    return docs;
  }

  /**
   * The entries of a directory (a project's run directories): read again unless its watch says
   * nothing changed since the last reading (see {@link DirWatch}).
   *
   * @param dir - the directory
   * @param read - reads its entries (`undefined`: it is not there)
   * @returns the entries
   */
  entriesOf(dir: string, read: (dir: string) => string[] | undefined): string[] | undefined {
    const known = this.listings.get(dir);
    if (known && this.watch?.quiet(dir)) return known;
    const checked = this.watch?.arm(dir);
    const names = read(dir);
    if (names) {
      this.listings.set(dir, names);
      checked?.();
    } else {
      this.listings.delete(dir);
      this.watch?.forget(dir);
    }
    return names;
  }

  /**
   * Whether a listing may answer as the last did: while nothing was notified of any watched
   * directory since `epoch` (see {@link ListingIndex.watchState}) and before `until`.
   *
   * @param last - the state after the last listing
   * @returns whether nothing changed
   */
  unchangedSince(last: { epoch: number; until: number }): boolean {
    return this.watch?.enabled === true && this.watch.epoch === last.epoch && Date.now() < last.until;
  }

  /**
   * Where the watch stands after a listing of `dirs`, or `undefined` when one of them is not
   * watched and checked (or nothing is watched): the next listing must then look at every run.
   *
   * @param dirs - every directory the listing looked at
   * @returns the state to give {@link ListingIndex.unchangedSince}
   */
  watchState(dirs: Iterable<string>): { epoch: number; until: number } | undefined {
    if (!this.watch?.enabled) return undefined;
    const until = this.watch.quietUntil(dirs);
    return until > 0 ? { epoch: this.watch.epoch, until } : undefined;
  }

  /**
   * Forgets the run directories of the root (or of one project) that a listing no longer found.
   *
   * @param listed - the keys (`<project>/<runId>`) of the run directories listed
   * @param project - the project listed, when only one was
   */
  retain(listed: Set<string>, project?: string): void {
    const entries = this.load();
    const prefix = project === undefined ? "" : `${project}/`;
    for (const key of entries.keys()) {
      if (!key.startsWith(prefix) || isAbsolute(key)) continue;
      if (!listed.has(key)) {
        entries.delete(key);
        this.watch?.forget(join(this.root, key));
        this.dirty = true;
      }
    }
  }

  /**
   * Writes the index when a listing read something new (temporary file, then rename), at most
   * once per {@link SAVE_EVERY_MS}; never throws.
   */
  save(): void {
    if (!this.dirty || !this.entries || Date.now() - this.savedAt < SAVE_EVERY_MS) return;
    this.savedAt = Date.now();
    const runs: Record<string, Entry> = {};
    for (const [key, e] of this.entries) if (!isAbsolute(key)) runs[key] = e;
    const path = join(this.root, LISTING_INDEX_FILE);
    const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      writeFileSync(temp, JSON.stringify({ version: VERSION, runs }));
      renameSync(temp, path);
      this.dirty = false;
    } catch {
      try {
        unlinkSync(temp);
      } catch {}
    }
  }

  /** Run directories under the root are kept as `<project>/<runId>`; others by absolute path, in memory only. */
  private keyOf(dir: string): string {
    const under = this.root.endsWith(sep) ? this.root : this.root + sep;
    return dir.startsWith(under) ? dir.slice(under.length).split(sep).join("/") : dir;
  }

  private load(): Map<string, Entry> {
    if (this.entries) return this.entries;
    this.entries = new Map();
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(join(this.root, LISTING_INDEX_FILE), "utf8"));
    } catch {
      // Missing or not JSON (torn by a crash, edited): rebuilt by this listing.
      this.dirty = true;
      return this.entries;
    }
    if (!isObject(doc) || doc.version !== VERSION || !isObject(doc.runs)) {
      this.dirty = true;
      return this.entries;
    }
    for (const [key, e] of Object.entries(doc.runs)) {
      if (isEntry(e)) this.entries.set(key, e);
      else this.dirty = true;
    }
    return this.entries;
  }
}

/** Reads a run directory's metadata from its files; `undefined` without a readable `run.json`. */
function readRunDocs(dir: string): RunDocs | undefined {
  const runFile = readJson(join(dir, "run.json"));
  if (!runFile) return undefined;
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  const error = runFile.error as RunDocs["runFile"]["error"];
  const writers: WriterDocs[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {}
  for (const metricsFile of names.filter((n) => METRICS_FILE.test(n)).sort()) {
    const s = readSummary(join(dir, summaryName(metricsFile)));
    if (!s) continue;
    const metrics: Record<string, StoredStat> = {};
    for (const [k, m] of Object.entries(s.metrics))
      metrics[k] = [m.count, storeNumber(m.last), m.lastStep, m.lastTime, storeNumber(m.min), storeNumber(m.max)];
    writers.push({
      key: writerKey(metricsFile),
      role: s.role,
      workerId: s.workerId,
      pid: s.pid,
      host: s.host,
      status: s.status,
      heartbeatAt: s.heartbeatAt,
      metrics,
    });
  }
  return {
    runFile: {
      runId: str(runFile.runId),
      project: str(runFile.project),
      name: str(runFile.name),
      status: str(runFile.status),
      pid: typeof runFile.pid === "number" ? runFile.pid : undefined,
      hostname: str(runFile.hostname),
      heartbeatAt: str(runFile.heartbeatAt),
      startedAt: str(runFile.startedAt),
      endedAt: str(runFile.endedAt),
      tags: isObject(runFile.tags) ? (runFile.tags as Record<string, string>) : undefined,
      error: isObject(error) ? error : undefined,
      signal: str(runFile.signal),
    },
    params: readJson(join(dir, "params.json")) ?? {},
    writers,
  };
}

/**
 * A stored number as a number again (see {@link StoredStat}).
 *
 * @param v - a number, a non-finite value's name, or `null`
 * @returns the number (`null` stays `null`)
 */
export function storedNumber<T extends number | string | null>(v: T): T extends string ? number : T {
  return (typeof v === "string" ? Number(v) : v) as T extends string ? number : T;
}

function storeNumber<T extends number | null>(v: T): T | string {
  return typeof v === "number" && !Number.isFinite(v) ? String(v) : v;
}

/** A metrics file of a writer: `metrics.jsonl`, or `metrics.<role>-<worker>.jsonl`. */
export const METRICS_FILE = /^metrics(\.[A-Za-z0-9_-]+)?\.jsonl$/;

/**
 * The key of the writer of a metrics file: `main`, or its `<role>-<worker>`.
 *
 * @param metricsFile - the metrics file's name
 * @returns the key
 */
export function writerKey(metricsFile: string): string {
  return /^metrics\.(.+)\.jsonl$/.exec(metricsFile)?.[1] ?? "main";
}

/**
 * The summary file of a metrics file (`metrics.x.jsonl` → `summary.x.json`).
 *
 * @param metricsFile - the metrics file's name
 * @returns the summary's name
 */
export function summaryName(metricsFile: string): string {
  return metricsFile.replace(/^metrics/, "summary").replace(/\.jsonl$/, ".json");
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Whether a stored entry has the shape this version writes, as far as a listing relies on it (a
 * hand-edited or torn one is read again); a metric that is not an array is skipped by the row.
 */
function isEntry(e: unknown): e is Entry {
  if (!isObject(e) || typeof e.mtimeMs !== "number" || typeof e.ino !== "number" || typeof e.readAt !== "number")
    return false;
  const d = e.docs;
  if (!isObject(d) || !isObject(d.runFile) || !isObject(d.params) || !Array.isArray(d.writers)) return false;
  for (const w of d.writers) if (!isObject(w) || typeof w.key !== "string" || !isObject(w.metrics)) return false;
  return true;
}

function readJson(path: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(readFileSync(path, "utf8"));
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}
