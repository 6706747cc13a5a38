import type { Logger } from "pino";
import type { CoarseClock } from "./coarse-clock.js";
import type { MetricBuffer } from "./metric-buffer.js";
import type { NameTable } from "./name-table.js";
import { invalidMetric } from "./validate-metric.js";

/** What {@link MetricInput} works on. */
export interface MetricInputOptions {
  /** The run's names. */
  table: NameTable;
  /** The run's buffer. */
  buffer: MetricBuffer;
  /** The hot path's clock. */
  clock: CoarseClock;
  /** What an invalid metric does: throw (default) or warn and count. */
  onInvalid?: "throw" | "warn";
  /** Where the rate-limited warnings go. */
  logger: Logger;
}

/**
 * Everything `logMetric`'s fast path hands off: first sight of a name, bigints, explicit
 * timestamps, invalid input (thrown, or counted with a rate-limited warning), `logMetrics`
 * and collector samples.
 */
export class MetricInput {
  /** Invalid metrics dropped with a warning so far. */
  invalidCount = 0;
  private readonly onInvalid: "throw" | "warn";

  /** @param options - names, buffer, clock, policy, logger */
  constructor(private readonly options: MetricInputOptions) {
    this.onInvalid = options.onInvalid ?? "throw";
  }

  /**
   * Checks and logs one point the fast path did not take.
   *
   * @param name - what was passed as name
   * @param value - what was passed as value
   * @param step - what was passed as step
   * @param timestamp - what was passed as timestamp
   * @throws TraceletError `TRACELET_ERR_INVALID_METRIC` in `"throw"` mode
   */
  log(name: unknown, value: unknown, step: unknown, timestamp: unknown): void {
    const { table, buffer, clock } = this.options;
    const id = table.intern(name);
    if (typeof id === "string") {
      this.reject(name, id);
      return;
    }
    const problem = valueProblem(value) ?? stepProblem(step) ?? timestampProblem(timestamp);
    if (problem !== undefined) {
      this.reject(name, problem);
      return;
    }
    const s = step === undefined ? table.next[id] : (step as number);
    // Past 2^53 - 1 an automatic step would stop increasing (2^53 + 1 is 2^53): refused instead.
    if (!Number.isSafeInteger(s)) {
      this.reject(name, `the metric's automatic step passed ${Number.MAX_SAFE_INTEGER}; pass explicit steps`);
      return;
    }
    table.next[id] = s + 1;
    const ts = timestamp === undefined ? clock.read() : (timestamp as number);
    buffer.push(id, typeof value === "bigint" ? Number(value) : (value as number), s, ts);
  }

  /**
   * Logs several metrics at one step and timestamp, checking every entry before logging any.
   *
   * @param metrics - values by name
   * @param step - the shared step, or each metric's own counter
   * @throws TraceletError `TRACELET_ERR_INVALID_METRIC` in `"throw"` mode (then none is logged)
   */
  logMany(metrics: unknown, step: unknown): void {
    if (typeof metrics !== "object" || metrics === null || Array.isArray(metrics)) {
      this.reject("(logMetrics)", "logMetrics takes an object of values by name");
      return;
    }
    const shared = stepProblem(step);
    if (shared !== undefined) {
      this.reject("(logMetrics)", shared);
      return;
    }
    const record = metrics as Record<string, unknown>;
    const names = Object.keys(record);
    const valid = names.map((name) => {
      const id = this.options.table.intern(name);
      const problem = typeof id === "string" ? id : valueProblem(record[name]);
      if (problem !== undefined) this.reject(name, problem);
      return problem === undefined;
    });
    const timestamp = this.options.clock.read();
    for (let i = 0; i < names.length; i++) if (valid[i]) this.log(names[i], record[names[i]], step, timestamp);
  }

  /**
   * Buffers a collector sample: numbers under valid names, each metric on its own step counter.
   * A sample that finds the buffer empty is handed on at once, as one batch (see
   * {@link MetricBuffer.endGroup}).
   *
   * @param values - values by name
   * @param timestamp - when the sample was taken
   */
  ingest(values: Record<string, unknown>, timestamp: number): void {
    const { table, buffer } = this.options;
    const empty = buffer.beginGroup();
    try {
      for (const name in values) {
        const value = values[name];
        if (typeof value !== "number" || !Object.hasOwn(values, name)) continue;
        const id = table.intern(name);
        if (typeof id === "string") continue;
        const step = table.next[id];
        if (!Number.isSafeInteger(step)) continue;
        table.next[id] = step + 1;
        buffer.push(id, value, step, timestamp);
      }
    } finally {
      buffer.endGroup(empty);
    }
  }

  private reject(name: unknown, reason: string): void {
    const error = invalidMetric(name, reason);
    if (this.onInvalid === "throw") throw error;
    this.invalidCount++;
    // Rate-limited: the first, then every 1000th.
    if (this.invalidCount === 1 || this.invalidCount % 1000 === 0) {
      this.options.logger.warn({ code: error.code, count: this.invalidCount }, error.message);
    }
  }
}

function valueProblem(value: unknown): string | undefined {
  if (typeof value === "number" || typeof value === "bigint") return undefined;
  return `the value must be a number or bigint, not ${describe(value)}`;
}

function stepProblem(step: unknown): string | undefined {
  if (step === undefined || (typeof step === "number" && Number.isSafeInteger(step) && step >= 0)) return undefined;
  return `the step must be a non-negative integer, not ${describe(step)}`;
}

// The stored format is integer ms since the epoch: a fraction or a time before 1970 cannot be kept.
function timestampProblem(timestamp: unknown): string | undefined {
  if (timestamp === undefined || (typeof timestamp === "number" && Number.isSafeInteger(timestamp) && timestamp >= 0))
    return undefined;
  return `the timestamp must be a whole, non-negative number of ms since the epoch, not ${describe(timestamp)}`;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") return `the string ${JSON.stringify(value.slice(0, 20))}`;
  if (typeof value === "number") return String(value);
  return typeof value;
}
