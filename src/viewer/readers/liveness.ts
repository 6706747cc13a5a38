import { hostname } from "node:os";
import type { RunStatus } from "./reader.js";

/** A writer whose heartbeat is older than this is gone, when its pid cannot be checked (another host), ms. */
export const STALE_HEARTBEAT_MS = 30_000;

/**
 * The status of one writer of a run: its recorded status, except that a `running` writer whose
 * process is gone is `crashed`. On the same host the pid is checked; elsewhere the heartbeat.
 *
 * @param recorded - the status the writer last wrote
 * @param pid - its process id
 * @param host - its host name
 * @param heartbeatAt - its last heartbeat (ISO)
 * @param now - the time to judge at, ms
 * @returns the status to show
 */
export function writerStatus(
  recorded: string | undefined,
  pid: number | undefined,
  host: string | undefined,
  heartbeatAt: string | undefined,
  now = Date.now(),
): RunStatus {
  if (recorded === "finished" || recorded === "failed" || recorded === "interrupted" || recorded === "crashed")
    return recorded;
  if (pid !== undefined && host === hostname()) return pidAlive(pid) ? "running" : "crashed";
  const beat = heartbeatAt ? Date.parse(heartbeatAt) : Number.NaN;
  if (Number.isNaN(beat)) return pid === undefined ? "running" : "crashed";
  return now - beat <= STALE_HEARTBEAT_MS ? "running" : "crashed";
}

/**
 * The status of a run from its writers': running while any is; crashed when one crashed and none
 * runs; else failed, interrupted, finished in that order.
 *
 * @param statuses - each writer's status
 * @returns the run's status
 */
export function combineStatus(statuses: RunStatus[]): RunStatus {
  for (const s of ["running", "crashed", "failed", "interrupted"] as const) if (statuses.includes(s)) return s;
  return "finished";
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
