/** Something the exit guard keeps alive until it stops. */
export interface GuardedRun {
  /** Flushes and stops within the run's deadline. */
  stop(): Promise<unknown>;
  /** Synchronous last resort at process exit: persist what is pending, kill children. */
  emergencyExit(): void;
}

const live = new Set<GuardedRun>();
let installed = false;
const SIGNALS = ["SIGINT", "SIGTERM"] as const;

function onSignal(signal: NodeJS.Signals): void {
  const runs = [...live];
  void Promise.allSettled(runs.map((r) => r.stop())).then(() => {
    uninstall();
    // Re-raise so the process ends as the user expects, unless someone else handles the signal.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  });
}

function onBeforeExit(): void {
  for (const run of [...live]) void run.stop();
}

function onExit(): void {
  for (const run of [...live]) {
    try {
      run.emergencyExit();
    } catch {
      // Nothing can be reported any more at this point; keep cleaning the other runs.
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  for (const s of SIGNALS) process.on(s, onSignal);
  process.on("beforeExit", onBeforeExit);
  process.on("exit", onExit);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  for (const s of SIGNALS) process.off(s, onSignal);
  process.off("beforeExit", onBeforeExit);
  process.off("exit", onExit);
}

/**
 * Watches a run so that SIGINT, SIGTERM, `beforeExit` and `process.exit()` stop it cleanly.
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
  if (live.size === 0) uninstall();
}
