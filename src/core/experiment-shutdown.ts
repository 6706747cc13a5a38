import { dirname } from "node:path";
import type { RunParts } from "./experiment-run.js";
import type { StopReport } from "./experiment-types.js";
import { forceCleanupAll } from "./lifecycle/force-cleanup.js";
import { stopAll } from "./lifecycle/run-plugins.js";
import type { RunEnd } from "./run-end.js";

async function flushBackends(run: RunParts): Promise<void> {
  await Promise.all(
    run.hosts
      .filter((h) => h.type === "backend" && h.active && h.backend.flush)
      .map((h) => h.call("flush", run.timeouts.flush, () => h.backend.flush?.())),
  );
}

/**
 * Hands everything logged so far to the backends and waits for their `flush()`, then fires
 * the `flush` hook.
 *
 * @param run - the run
 */
export async function flushRun(run: RunParts): Promise<void> {
  await run.pipeline.settle(run.timeouts.flush);
  await run.side.settle();
  await flushBackends(run);
  await run.hooks.flush.promise();
}

/**
 * The shutdown sequence: collectors stop (one last sample each), flush, then logging closes
 * (`closeLogging`), the points logged meanwhile are delivered, and the plugins stop in reverse
 * start order, all within the shutdown deadline counted from `began`.
 *
 * @param run - the run
 * @param closeLogging - makes every later logging call throw `TRACELET_ERR_RUN_STOPPED`
 * @param began - when the shutdown began (`performance.now()`)
 * @param end - how the run ended, handed to every plugin's `stop(end)` (backends record it)
 * @returns points left in spools, by backend, where they are and the `tracelet sync` lines to run
 */
export async function shutdownRun(
  run: RunParts,
  closeLogging: () => void,
  began: number,
  end: RunEnd,
): Promise<Omit<StopReport, "failures">> {
  await run.schedules.stop();
  await run.schedules.sampleNow();
  await flushRun(run);
  // From here on logging and side calls throw; what was logged while stopping is still delivered.
  closeLogging();
  const { spooled, inFlight } = await run.pipeline.close(run.timeouts.flush);
  await run.side.settle();
  await flushBackends(run);
  const left = spoolReport(run, spooled, inFlight);
  if (left.sync.length > 0) {
    run.logger.warn(
      { spooled, spoolDirs: left.spoolDirs },
      `points left in the spool; run "${left.sync.join('" and "')}"`,
    );
  }
  await stopAll(run.hosts, run.hooks, run.identity, run.timeouts, run.logger, began, end);
  return left;
}

// Each spool is `<root>/spool/<backend>`, the root being the run dir or its fallback.
function spoolReport(
  run: RunParts,
  spooled: Record<string, number>,
  inFlight: Record<string, number>,
): Omit<StopReport, "failures"> {
  const status = run.pipeline.status();
  const spoolDirs: Record<string, string> = {};
  const roots = new Set<string>();
  for (const name of Object.keys(spooled)) {
    const dir = status[name]?.spoolDir;
    if (!dir) continue;
    spoolDirs[name] = dir;
    roots.add(dirname(dirname(dir)));
  }
  const sync = [...roots].map((root) => `tracelet sync ${JSON.stringify(root)}`);
  return { spooled, inFlight, spoolDirs, sync };
}

/**
 * Synchronous last resort at process exit without `stop()`: every pending point is written to
 * the spools (unless the run already stopped), then lifecycle-aware plugins get `forceCleanup()`.
 *
 * @param run - the run
 * @param stopped - whether the run had already stopped
 */
export function emergencyExitRun(run: RunParts, stopped: boolean): void {
  if (!stopped) {
    try {
      const left = run.pipeline.emergencyExit();
      if (Object.keys(left).length > 0)
        run.logger.warn({ spooled: left, runDir: run.identity.runDir }, "spooled at exit");
    } catch (error) {
      run.logger.error({ err: error }, "could not spool pending points at exit");
    }
  }
  forceCleanupAll(run.hosts, run.logger);
}
