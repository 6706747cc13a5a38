import { TraceletError } from "./errors.js";
import { isRunId } from "./options.js";
import type { RunIdentity } from "./types.js";

// A path segment a run's files are named after: never a separator, NUL, `.` or `..`.
const SEGMENT = /^(?!\.{1,2}$)[^/\\\0]{1,128}$/;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function fieldProblem(run: Record<string, unknown>): string | undefined {
  if (!isRunId(run.runId)) return `"runId" must match [A-Za-z0-9._-]{1,128} and not be "." or ".."`;
  if (typeof run.project !== "string" || !SEGMENT.test(run.project))
    return `"project" must be a non-empty name without a path separator`;
  if (typeof run.role !== "string" || !SEGMENT.test(run.role))
    return `"role" must be a non-empty name without a path separator`;
  if (typeof run.name !== "string") return `"name" must be a string`;
  const { workerId, workerCount } = run;
  if (typeof workerId !== "number" || !Number.isSafeInteger(workerId) || workerId < 0)
    return `"workerId" must be a whole number`;
  if (typeof workerCount !== "number" || !Number.isSafeInteger(workerCount) || workerCount < 1)
    return `"workerCount" must be a positive integer`;
  if (!isObject(run.tags) || !Object.values(run.tags).every((v) => typeof v === "string"))
    return `"tags" must map keys to strings`;
  return undefined;
}

/**
 * The run identity a spool's `backend.json` holds, checked as `startExperiment` checks its
 * options before any backend sees it: `tracelet sync` hands it to backends that build file
 * names from it (`<dir>/<project>/<runId>/metrics.<role>-<workerId>.jsonl`), so a forged
 * `"runId": "../../x"` would write outside the run. Its `runDir` is never read from disk: it
 * is the directory being synced.
 *
 * @param run - the `run` field as read from disk
 * @param runDir - the absolute run directory being synced
 * @returns a fresh identity whose `runDir` is `runDir`
 * @throws TraceletError `TRACELET_ERR_SPOOL_INVALID` naming the first bad field
 * @example
 * ```ts
 * const identity = spoolIdentity(meta.run, resolve(dir));
 * ```
 */
export function spoolIdentity(run: unknown, runDir: string): RunIdentity {
  const problem = isObject(run) ? fieldProblem(run) : "it is not an object";
  if (problem !== undefined) {
    throw new TraceletError(
      "TRACELET_ERR_SPOOL_INVALID",
      `The run identity in the spool of ${runDir} is refused: ${problem}.`,
      {
        details: { runDir },
      },
    );
  }
  const r = run as unknown as RunIdentity;
  return {
    project: r.project,
    name: r.name,
    runId: r.runId,
    role: r.role,
    workerId: r.workerId,
    workerCount: r.workerCount,
    tags: { ...r.tags },
    runDir,
  };
}
