import type { MetricStat, WorkerRow } from "./reader.js";

/**
 * A run's metrics over its workers: counts summed, min/max over all, the last value from the
 * worker whose last point is the latest.
 *
 * @param workers - the run's workers, each with its own metric summaries
 * @returns one summary per metric name
 */
export function mergeMetrics(workers: WorkerRow[]): Record<string, MetricStat> {
  const out: Record<string, MetricStat> = {};
  for (const w of workers) {
    for (const [name, m] of Object.entries(w.metrics)) {
      const o = out[name];
      if (!o) {
        out[name] = { ...m };
        continue;
      }
      o.count += m.count;
      if (m.lastTime >= o.lastTime) Object.assign(o, { last: m.last, lastStep: m.lastStep, lastTime: m.lastTime });
      if (m.min !== null && (o.min === null || m.min < o.min)) o.min = m.min;
      if (m.max !== null && (o.max === null || m.max > o.max)) o.max = m.max;
    }
  }
  return out;
}
