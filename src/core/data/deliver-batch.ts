import type { BackendInstance } from "../plugin-api.js";
import type { MetricColumns, MetricRecord } from "../types.js";
import { columnsOf, isColumns, recordsOf } from "./metric-columns.js";

/** A batch as the engine hands it on: records, or columns (for a backend with `logMetricColumns`). */
export type PointBatch = MetricRecord[] | MetricColumns;

/**
 * Whether a backend takes its points in columns ({@link BackendInstance.logMetricColumns}): the
 * engine then makes columns, not records, for it on every path.
 *
 * @param backend - the backend
 * @returns whether it has `logMetricColumns`
 */
export function wantsColumns(backend: BackendInstance): boolean {
  return typeof backend.logMetricColumns === "function";
}

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
 * Hands a batch to a backend in the form it prefers: `logMetricColumns` when it has it, else its
 * `logMetrics` fast path, else point by point. A batch in the other form is converted (records
 * made from columns with steps below 2^30 as small integers, as from a chunk).
 *
 * @param backend - the backend
 * @param batch - the points, as records or columns (the backend's own: never shared with another)
 */
export async function deliverBatch(backend: BackendInstance, batch: PointBatch): Promise<void> {
  if (backend.logMetricColumns) {
    await backend.logMetricColumns(isColumns(batch) ? batch : columnsOf(batch));
    return;
  }
  const records = isColumns(batch) ? recordsOf(batch) : batch;
  if (backend.logMetrics) await backend.logMetrics(records);
  else await deliverOneByOne(backend, records);
}
