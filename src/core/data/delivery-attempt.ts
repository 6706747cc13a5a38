import type { PluginHost } from "../lifecycle/plugin-host.js";
import { withDeadline } from "../lifecycle/with-deadline.js";
import { deliverBatch, type PointBatch } from "./deliver-batch.js";

/**
 * One delivery attempt of a batch to a backend. Unlike a plain deadline race, the attempt only
 * ends when the backend's call itself settles: passing the deadline reports the failure early
 * (`onFailure(error, true)`, the call still running) but never lets a second call start beside
 * it, so a slow backend receives each batch once. The engine's counters (calls, time) are kept;
 * the failure itself is the caller's to record (an outage is retried, not reported each time).
 *
 * @param host - the backend's host
 * @param batch - the points, in order (records or columns: the backend's own copy)
 * @param deadlineMs - the deadline (`Infinity` or 0: none)
 * @param onFailure - called at most once: at the deadline (`running` true) or on a rejection
 * @returns whether the backend took the batch (also after the deadline)
 */
export async function deliverOnce(
  host: PluginHost,
  batch: PointBatch,
  deadlineMs: number,
  onFailure: (thrown: unknown, running: boolean) => void,
): Promise<boolean> {
  const stats = host.stats;
  stats.calls.logMetrics = (stats.calls.logMetrics ?? 0) + 1;
  const started = performance.now();
  let failed = false;
  const fail = (thrown: unknown, running: boolean) => {
    if (failed) return;
    failed = true;
    onFailure(thrown, running);
  };
  try {
    // The one deadline wrapper of plugin calls, in its reporting mode: the deadline only reports
    // (`onLate`), the call is still awaited; its timer never holds the process open.
    await withDeadline(host.name, "logMetrics", deadlineMs, () => deliverBatch(host.backend, batch), {
      onLate: (error) => fail(error, true),
      keepAlive: false,
    });
    return true;
  } catch (thrown) {
    fail(thrown, false);
    return false;
  } finally {
    stats.timeMs.logMetrics = (stats.timeMs.logMetrics ?? 0) + (performance.now() - started);
  }
}
