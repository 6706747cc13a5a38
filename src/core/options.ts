import type { Level } from "pino";
import type { RetryOptions } from "./data/backoff.js";
import { TraceletError } from "./errors.js";
import type { Timeouts } from "./types.js";

/** Options of a run, as `startExperiment()` takes them (all optional). */
export interface RunOptions {
  /** Project name (default: the host package's name, else `"default"`). */
  project?: string;
  /** Run name (default: the run id). */
  name?: string;
  /** Run id (default: a new time-sortable id). */
  runId?: string;
  /** Base directory of runs (default `./tracelet-runs`). */
  dir?: string;
  /** Run tags. */
  tags?: Record<string, string>;
  /** Backend plugin names (default `["jsonl"]`). */
  backends?: string[];
  /** Collector plugin names (default none). */
  collectors?: string[];
  /** Config of each plugin, by plugin name. */
  plugins?: Record<string, Record<string, unknown>>;
  /** Deadlines of plugin calls, ms. */
  timeouts?: Timeouts;
  /** Role of this process (default `"main"`). */
  role?: string;
  /** Worker index (default 0). */
  workerId?: number;
  /** Number of workers (default 1). */
  workerCount?: number;
  /** Log level (default `TRACELET_LOG_LEVEL`, else `"warn"`). */
  logLevel?: Level | "silent";
  /** Points per batch sent to backends (default 4096). */
  batchSize?: number;
  /** Longest time a point waits before it is sent, ms (default 100). */
  flushIntervalMs?: number;
  /** What an invalid metric does (default `"throw"`). */
  onInvalidMetric?: "throw" | "warn";
  /** Where the host package.json is looked for (default `process.cwd()`). */
  cwd?: string;
  /**
   * Bytes of batches each backend's queue holds in memory (batches are shared by every backend,
   * 28 bytes a point) before newer batches spill to `<run dir>/spool/` (default 32 MiB).
   */
  maxQueuedBytes?: number;
  /** Points per backend held in memory before its batches spill to the spool (default: the byte bound alone). */
  maxQueuedPoints?: number;
  /**
   * A failing backend's retries: delays (default 100 ms doubling up to 30 s, with jitter), retried
   * for as long as the run lasts; `quarantineAfter` failed deliveries in a row quarantine it
   * (default: never).
   */
  retry?: RetryOptions;
  /**
   * Plugin discovery: `cache` is `"default"` (trust what installs change), `"strict"` (also
   * check every package.json) or `"off"`. Default: `TRACELET_DISCOVERY_CACHE`, else `"default"`.
   */
  discovery?: {
    /** `"default"`, `"strict"` or `"off"` (see docs/plugin-manifest.md, "The discovery cache"). */
    cache?: "default" | "strict" | "off";
  };
}

/** The keys {@link RunOptions} accepts; anything else is refused. */
export const RUN_OPTION_KEYS: ReadonlySet<string> = new Set([
  "project",
  "name",
  "runId",
  "dir",
  "tags",
  "backends",
  "collectors",
  "plugins",
  "timeouts",
  "role",
  "workerId",
  "workerCount",
  "logLevel",
  "batchSize",
  "flushIntervalMs",
  "onInvalidMetric",
  "cwd",
  "maxQueuedBytes",
  "maxQueuedPoints",
  "retry",
  "discovery",
]);

/**
 * Whether a value can name a run: it becomes a directory under the project's, so `.` and `..`
 * (which would name the project's or the base directory, mixing runs) are refused.
 *
 * @param value - a candidate run id
 * @returns true for 1 to 128 of `[A-Za-z0-9._-]`, other than `.` and `..`
 */
export function isRunId(value: unknown): value is string {
  return typeof value === "string" && /^[A-Za-z0-9._-]{1,128}$/.test(value) && value !== "." && value !== "..";
}

/**
 * Checks that every key is a known option and every value has the right shape.
 *
 * @param options - what the caller passed
 * @param origin - where they came from, for the message
 * @throws TraceletError `TRACELET_ERR_OPTION_INVALID`
 */
export function checkRunOptions(options: unknown, origin: string): asserts options is RunOptions {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new TraceletError("TRACELET_ERR_OPTION_INVALID", `Options from ${origin} must be an object.`);
  }
  const unknown = Object.keys(options).filter((k) => !RUN_OPTION_KEYS.has(k));
  if (unknown.length > 0) {
    throw new TraceletError("TRACELET_ERR_OPTION_INVALID", `Unknown option(s) from ${origin}: ${unknown.join(", ")}.`, {
      details: { unknown, origin },
    });
  }
  const o = options as Record<string, unknown>;
  for (const key of ["backends", "collectors"]) {
    const v = o[key];
    if (v !== undefined && (!Array.isArray(v) || v.some((x) => typeof x !== "string"))) {
      throw new TraceletError(
        "TRACELET_ERR_OPTION_INVALID",
        `Option "${key}" from ${origin} must be an array of plugin names.`,
      );
    }
  }
  for (const key of ["project", "name", "runId", "dir", "role", "cwd"]) {
    if (o[key] !== undefined && (typeof o[key] !== "string" || o[key] === "")) {
      throw new TraceletError(
        "TRACELET_ERR_OPTION_INVALID",
        `Option "${key}" from ${origin} must be a non-empty string.`,
      );
    }
  }
  if (o.runId !== undefined && !isRunId(o.runId)) {
    throw new TraceletError(
      "TRACELET_ERR_OPTION_INVALID",
      `Option "runId" from ${origin} must match [A-Za-z0-9._-]{1,128} and not be "." or "..".`,
      { details: { origin } },
    );
  }
  if (o.project !== undefined && /[\\/]|^\.\.?$/.test(String(o.project))) {
    throw new TraceletError("TRACELET_ERR_OPTION_INVALID", `Option "project" must not contain a path separator.`);
  }
  // The role names each worker's files (metrics.<role>-<workerId>.jsonl): a separator or a dot
  // in it would write outside the run directory or be read as another writer's file.
  if (o.role !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(String(o.role))) {
    throw new TraceletError(
      "TRACELET_ERR_OPTION_INVALID",
      `Option "role" from ${origin} must match [A-Za-z0-9_-]{1,64} (it names the worker's files).`,
      { details: { origin } },
    );
  }
  for (const key of ["batchSize", "maxQueuedBytes", "maxQueuedPoints", "workerCount"]) {
    const v = o[key];
    if (v !== undefined && (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1)) {
      throw new TraceletError(
        "TRACELET_ERR_OPTION_INVALID",
        `Option "${key}" from ${origin} must be a positive integer.`,
      );
    }
  }
  for (const key of ["flushIntervalMs", "workerId"]) {
    const v = o[key];
    if (v !== undefined && (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0)) {
      throw new TraceletError("TRACELET_ERR_OPTION_INVALID", `Option "${key}" from ${origin} must be a whole number.`);
    }
  }
  if (o.onInvalidMetric !== undefined && o.onInvalidMetric !== "throw" && o.onInvalidMetric !== "warn") {
    throw new TraceletError("TRACELET_ERR_OPTION_INVALID", `Option "onInvalidMetric" must be "throw" or "warn".`);
  }
  if (o.retry !== undefined && !isRetry(o.retry)) {
    throw new TraceletError(
      "TRACELET_ERR_OPTION_INVALID",
      `Option "retry" from ${origin} takes { initialDelayMs?, maxDelayMs? } as positive numbers of ms and { quarantineAfter? } as a positive integer.`,
    );
  }
  if (o.discovery !== undefined && !isDiscovery(o.discovery)) {
    throw new TraceletError(
      "TRACELET_ERR_OPTION_INVALID",
      `Option "discovery" from ${origin} takes { cache?: "default" | "strict" | "off" }.`,
    );
  }
  if (o.tags !== undefined && !isStringRecord(o.tags)) {
    throw new TraceletError("TRACELET_ERR_OPTION_INVALID", `Option "tags" from ${origin} must map keys to strings.`);
  }
  if (o.plugins !== undefined && (typeof o.plugins !== "object" || o.plugins === null || Array.isArray(o.plugins))) {
    throw new TraceletError(
      "TRACELET_ERR_OPTION_INVALID",
      `Option "plugins" from ${origin} must map plugin names to configs.`,
    );
  }
}

function isStringRecord(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === "string")
  );
}

function isDiscovery(value: unknown): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  return Object.entries(value).every(([k, v]) => k === "cache" && ["default", "strict", "off"].includes(v as string));
}

function isRetry(value: unknown): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  return Object.entries(value).every(([k, v]) =>
    k === "quarantineAfter"
      ? typeof v === "number" && Number.isSafeInteger(v) && v >= 1
      : (k === "initialDelayMs" || k === "maxDelayMs") && typeof v === "number" && v > 0 && v < 2 ** 31,
  );
}

/**
 * Drops the keys whose value is `undefined`, so that an option passed as `undefined` does not
 * hide the same option from the environment or package.json when the layers are merged.
 *
 * @param options - one layer of options
 * @returns the same options without undefined values
 */
export function definedOptions<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
