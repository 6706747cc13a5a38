/** A run's status as the viewer shows it. `crashed`: its process is gone without stopping it. */
export type RunStatus = "running" | "finished" | "failed" | "interrupted" | "crashed";

/** One metric of a run: what the summary keeps, so listing never reads metric files. */
export interface MetricStat {
  /** Points logged. */
  count: number;
  /** Last value (by logging order). */
  last: number;
  /** Step of the last value. */
  lastStep: number;
  /** Timestamp of the last value, ms. */
  lastTime: number;
  /** Smallest and largest value, NaN ignored (`null`: none). */
  min: number | null;
  max: number | null;
}

/** One process writing a run (a run logged by one process has one). */
export interface WorkerRow {
  /** `main`, or `<role>-<workerId>`. */
  key: string;
  role: string;
  workerId: number;
  pid?: number;
  host?: string;
  status: RunStatus;
  heartbeatAt?: string;
  metrics: Record<string, MetricStat>;
}

/** One run as listed: identity, status, params and each metric's summary. */
export interface RunRow {
  id: string;
  project: string;
  name: string;
  /** Where the run is (a directory, or a database URL for a database reader). */
  location: string;
  status: RunStatus;
  startedAt?: string;
  endedAt?: string;
  heartbeatAt?: string;
  /** Until the end, or until the last heartbeat of a crashed or running run. */
  durationMs?: number;
  tags: Record<string, string>;
  /** Parameters, flattened to dotted keys. */
  params: Record<string, unknown>;
  /** Metrics over every worker: counts summed, min/max over all, last from the latest point. */
  metrics: Record<string, MetricStat>;
  workers: WorkerRow[];
  /** How a failed or interrupted run ended. */
  error?: { code: string; message: string };
  signal?: string;
}

/** Which part of a series to read. */
export interface SeriesQuery {
  /** First and last step wanted (inclusive); absent: from the start, to the end. */
  from?: number;
  to?: number;
  /** About the chart's width in pixels: the answer holds at most ~2 points per pixel (min and max per bucket). */
  width: number;
}

/** A series as read: columns of equal length, in step order. */
export interface Series {
  run: string;
  metric: string;
  /** The worker it comes from (`main` for a run written by one process). */
  worker: string;
  step: number[];
  value: number[];
  time: number[];
  /** Points of the metric in the range asked for. */
  total: number;
  /** Whether every point of the range is here (no downsampling). */
  full: boolean;
}

/** New points of a run, as a follower receives them. */
export interface FollowBatch {
  run: string;
  worker: string;
  points: { name: string; value: number; step: number; timestamp: number }[];
}

/**
 * How the viewer reads runs: the CLI views, the UI server and the report all go through one.
 * The `jsonl` reader reads run directories; a database backend may provide its own, doing the
 * filtering and downsampling in the database.
 */
export interface RunReader {
  /** Every run, optionally of one project, from the summaries only. */
  listRuns(options?: { project?: string }): Promise<RunRow[]>;
  /**
   * One run by id, unique id prefix, or location.
   *
   * @throws TraceletError `TRACELET_ERR_RUN_NOT_FOUND`, `TRACELET_ERR_RUN_AMBIGUOUS`
   */
  getRun(ref: string): Promise<RunRow>;
  /** A metric of a run, one series per worker, downsampled to about `query.width` buckets. */
  readSeries(run: RunRow, metric: string, query: SeriesQuery): Promise<Series[]>;
  /** Every point of a run, in logging order per worker (for export). */
  iteratePoints(run: RunRow): AsyncGenerator<FollowBatch>;
  /** Calls `onBatch` with the points appended to the run from now on; returns the stop function. */
  follow(run: RunRow, onBatch: (batch: FollowBatch) => void): Promise<() => void>;
}
