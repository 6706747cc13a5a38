import { isTraceletError } from "./errors.js";

/** How a run ended, as backends record it. */
export type RunEndStatus = "finished" | "interrupted" | "failed";

/**
 * How a run ended; backends receive it with `stop(end)` and record it (the `jsonl` backend
 * writes it to `run.json`). A run whose process vanished (SIGKILL, out of memory) never gets
 * one: its record stays `"running"` with a `pid` that is gone and a stale `heartbeatAt`.
 */
export interface RunEnd {
  /** `"finished"` (`stop()` or the event loop ran dry), `"interrupted"` (a signal), `"failed"` (an uncaught error). */
  status: RunEndStatus;
  /** The signal that interrupted the run (`"SIGINT"`, `"SIGTERM"`). */
  signal?: string;
  /** The error that failed the run. */
  error?: RunEndError;
}

/** The error that failed a run, as `run.json` records it. */
export interface RunEndError {
  /** Its code: `TRACELET_ERR_*`, Node's `ERR_*`, else its class name. */
  code: string;
  /** Its message. */
  message: string;
}

/** The end of a run that stopped normally. */
export const FINISHED: RunEnd = Object.freeze({ status: "finished" });

/**
 * The end of a run failed by an uncaught error.
 *
 * @param error - what was thrown
 * @returns a `"failed"` end carrying the error's code and message
 */
export function failedRunEnd(error: unknown): RunEnd {
  const own = (error as { code?: unknown } | null)?.code;
  const code = isTraceletError(error)
    ? error.code
    : typeof own === "string" && own !== ""
      ? own
      : error instanceof Error
        ? error.name
        : typeof error;
  const message = error instanceof Error ? error.message : String(error);
  return { status: "failed", error: { code, message } };
}
