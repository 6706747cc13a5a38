import { failedRunEnd, type RunEnd } from "../run-end.js";
import { within } from "../util/within.js";

/** Something the exit guard keeps alive until it stops. */
export interface GuardedRun {
  /** Flushes and stops within the run's deadline. */
  stop(): Promise<unknown>;
  /**
   * Records how the run is ending before the guard stops it (a signal, an uncaught error); the
   * first end recorded wins. Without it the run ends `"finished"`.
   */
  endAs?(end: RunEnd): void;
  /**
   * Synchronous last resort: persist what is pending, force-clean lifecycle-aware plugins
   * (see `forceCleanupAll`) so no child process outlives the run. Must never throw.
   */
  emergencyExit(): void;
  /** How long a stop may take before the guard gives up on it, ms (default 30 000). */
  readonly shutdownTimeoutMs?: number;
}

const live = new Set<GuardedRun>();
let installed = false;
let ending: Promise<void> | undefined;
const SIGNALS = ["SIGINT", "SIGTERM"] as const;
/** Margin added to the longest shutdown deadline before the guard stops waiting. */
const GRACE_MS = 1_000;

function emergency(runs: readonly GuardedRun[]): void {
  for (const run of runs) {
    try {
      run.emergencyExit();
    } catch {
      // Nothing can be reported any more at this point; keep cleaning the other runs.
    }
  }
}

// Stops every live run, bounded by the longest shutdown deadline, then force-cleans them all.
function stopEverything(end: RunEnd): Promise<void> {
  const runs = [...live];
  for (const run of runs) {
    try {
      run.endAs?.(end);
    } catch {
      // Recording the end is best effort: the stop below matters more.
    }
  }
  const limit = Math.max(0, ...runs.map((r) => r.shutdownTimeoutMs ?? 30_000)) + GRACE_MS;
  const stopped = Promise.allSettled(runs.map((r) => Promise.resolve().then(() => r.stop())));
  // The deadline keeps the process alive: the stops may be waiting on unref'd timers only.
  return within(stopped, limit, { keepAlive: true }).then(() => emergency(runs));
}

function onSignal(signal: NodeJS.Signals): void {
  if (ending) {
    // A second signal while stopping: the user insists; clean up now and let it through.
    emergency([...live]);
    finish(() => reraise(signal));
    return;
  }
  ending = stopEverything({ status: "interrupted", signal }).then(() => finish(() => reraise(signal)));
}

function reraise(signal: NodeJS.Signals): void {
  // Only when nobody else handles the signal: then its usual effect (termination) follows.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function onUncaught(error: unknown): void {
  // With other listeners the program has chosen to survive uncaught errors: so does the run.
  if (process.listenerCount("uncaughtException") > 1 || ending) return;
  ending = stopEverything(failedRunEnd(error)).then(() =>
    finish(() => {
      // Thrown again with the guard gone, so Node reports it and exits exactly as it would have.
      setImmediate(() => {
        throw error;
      });
    }),
  );
}

function onBeforeExit(): void {
  for (const run of [...live]) {
    void Promise.resolve()
      .then(() => run.stop())
      .catch(() => {
        // stop() reports its own failures; a rejection here must not become an unhandled one.
        releaseRun(run);
      });
  }
}

function onExit(): void {
  emergency([...live]);
}

function finish(then: () => void): void {
  live.clear();
  uninstall();
  ending = undefined;
  then();
}

function install(): void {
  if (installed) return;
  installed = true;
  for (const s of SIGNALS) process.on(s, onSignal);
  process.on("uncaughtException", onUncaught);
  process.on("beforeExit", onBeforeExit);
  process.on("exit", onExit);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  for (const s of SIGNALS) process.off(s, onSignal);
  process.off("uncaughtException", onUncaught);
  process.off("beforeExit", onBeforeExit);
  process.off("exit", onExit);
}

/**
 * Watches a run until it stops: on SIGINT or SIGTERM it is stopped within its deadline (ending
 * `"interrupted"` with the signal), then force-cleaned, then the signal is raised again (its
 * usual effect follows when nobody else listens). An uncaught exception does the same (the run
 * ending `"failed"` with the error's code and message), then is thrown again. `beforeExit` (the
 * event loop ran dry without `stop()`) stops it; `process.exit()` without `stop()` can only run
 * synchronous code, so the run's `emergencyExit()` is called.
 *
 * @param run - the run
 */
export function guardRun(run: GuardedRun): void {
  live.add(run);
  install();
}

/**
 * Stops watching a run (it stopped by itself).
 *
 * @param run - the run
 */
export function releaseRun(run: GuardedRun): void {
  live.delete(run);
  if (live.size === 0 && !ending) uninstall();
}

/**
 * How many runs the guard is watching (for tests and diagnostics).
 *
 * @returns the count
 */
export function guardedRunCount(): number {
  return live.size;
}
