import { TraceletError } from "../errors.js";
import type { PluginHost } from "../lifecycle/plugin-host.js";
import type { MetricRecord } from "../types.js";

/**
 * One delivery attempt of a batch to a backend. Unlike a plain deadline race, the attempt only
 * ends when the backend's call itself settles: passing the deadline reports the failure early
 * (`onFailure(error, true)`, the call still running) but never lets a second call start beside
 * it, so a slow backend receives each batch once. The engine's counters (calls, time) are kept.
 *
 * @param host - the backend's host
 * @param batch - the points, in order
 * @param deadlineMs - the deadline (`Infinity` or 0: none)
 * @param onFailure - called at most once: at the deadline (`running` true) or on a rejection
 * @returns whether the backend took the batch (also after the deadline)
 */
export async function deliverOnce(
  host: PluginHost,
  batch: MetricRecord[],
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
  let timer: NodeJS.Timeout | undefined;
  if (Number.isFinite(deadlineMs) && deadlineMs > 0) {
    timer = setTimeout(() => {
      const error = new TraceletError(
        "TRACELET_ERR_HOOK_TIMEOUT",
        `Plugin "${host.name}" did not settle "logMetrics" within ${deadlineMs} ms.`,
        { details: { plugin: host.name, hook: "logMetrics", timeoutMs: deadlineMs } },
      );
      fail(error, true);
    }, deadlineMs);
    timer.unref();
  }
  try {
    const backend = host.backend;
    if (backend.logMetrics) await backend.logMetrics(batch);
    else for (const p of batch) await backend.logMetric(p.name, p.value, p.step);
    return true;
  } catch (thrown) {
    fail(thrown, false);
    return false;
  } finally {
    clearTimeout(timer);
    stats.timeMs.logMetrics = (stats.timeMs.logMetrics ?? 0) + (performance.now() - started);
  }
}
