import type { BackendInstance } from "../plugin-api.js";
import type { MetricRecord } from "../types.js";

/**
 * Hands a batch to a backend point by point, in order, through `logMetric`, each point with its
 * own step and timestamp.
 *
 * @param backend - the backend
 * @param batch - the points
 */
export async function deliverOneByOne(backend: BackendInstance, batch: readonly MetricRecord[]): Promise<void> {
  for (const p of batch) await backend.logMetric(p.name, p.value, p.step, p.timestamp);
}

/**
 * Hands a batch to a backend: its `logMetrics` fast path when it has one, else point by point.
 *
 * @param backend - the backend
 * @param batch - the points
 */
export async function deliverBatch(backend: BackendInstance, batch: MetricRecord[]): Promise<void> {
  if (backend.logMetrics) await backend.logMetrics(batch);
  else await deliverOneByOne(backend, batch);
}
