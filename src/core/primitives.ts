// The basic types every other module builds on; kept apart from types.ts so that hooks.ts can
// use them while types.ts uses hooks.ts (no import cycle).

/** The two kinds of plugin. */
export type PluginType = "backend" | "collector";

/**
 * One metric point, as backends receive it.
 *
 * @example
 * ```ts
 * const point: MetricRecord = { name: "loss", value: 0.42, step: 1, timestamp: Date.now() };
 * ```
 */
export interface MetricRecord {
  /** Metric name, e.g. `"loss"` or `"system/cpu_utilization_percentage"`. */
  name: string;
  /** The value; `NaN` and `±Infinity` are kept and encoded explicitly by backends. */
  value: number;
  /** The step (explicit, or the per-metric counter). */
  step: number;
  /** Milliseconds since the epoch. */
  timestamp: number;
}

/**
 * A batch of points in columns, as a backend's `logMetricColumns` receives it: point `i` is
 * named `names[ids[i]]`, with value `values[i]`, step `steps[i]` and timestamp `times[i]` (ms
 * since the epoch), for `i` from 0 to `length - 1`, in logging order. Each backend receives its
 * own copy of the columns (it may keep them, or even overwrite them, without any other backend
 * seeing it); `names` is a frozen table shared by every backend, indexed by id, that may hold
 * names no point of this batch uses.
 *
 * @example
 * ```ts
 * function* points(c: MetricColumns) {
 *   for (let i = 0; i < c.length; i++)
 *     yield { name: c.names[c.ids[i]], value: c.values[i], step: c.steps[i], timestamp: c.times[i] };
 * }
 * ```
 */
export interface MetricColumns {
  /** Metric names, by id. */
  readonly names: readonly string[];
  /** Each point's name id (an index into `names`). */
  readonly ids: Int32Array;
  /** Each point's value (`NaN` and `±Infinity` kept). */
  readonly values: Float64Array;
  /** Each point's step (a double: steps of 2^31 and beyond are kept exactly). */
  readonly steps: Float64Array;
  /** Each point's timestamp, ms since the epoch. */
  readonly times: Float64Array;
  /** Points in the batch (the columns may be longer: only the first `length` entries count). */
  readonly length: number;
}

/** Who this run is: the same for every plugin of the run. */
export interface RunIdentity {
  /** Project name. */
  project: string;
  /** Human name of the run. */
  name: string;
  /** Run id, sortable by start time. */
  runId: string;
  /** Role of this process in a distributed run (e.g. `"main"`, `"worker"`). */
  role: string;
  /** Worker index in a distributed run (0 when alone). */
  workerId: number;
  /** Number of workers in a distributed run (1 when alone). */
  workerCount: number;
  /** Free-form tags. */
  tags: Readonly<Record<string, string>>;
  /** Directory of this run: `<dir>/<project>/<runId>`. */
  runDir: string;
}

/** A plugin's lifecycle state. */
export type PluginState =
  | "available"
  | "loaded"
  | "initialized"
  | "started"
  | "stopping"
  | "stopped"
  | "failed"
  | "disabled"
  | "quarantined";

/** The lifecycle and data calls the engine makes on a plugin. */
export type HookName =
  | "load"
  | "initialize"
  | "start"
  | "collect"
  | "logMetrics"
  | "logParams"
  | "logArtifact"
  | "setTags"
  | "flush"
  | "stop"
  | "configUpdate";
