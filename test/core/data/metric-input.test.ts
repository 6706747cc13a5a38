import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CoarseClock } from "../../../src/core/data/coarse-clock.js";
import { MetricBuffer } from "../../../src/core/data/metric-buffer.js";
import { MetricInput } from "../../../src/core/data/metric-input.js";
import { NameTable } from "../../../src/core/data/name-table.js";
import type { MetricRecord } from "../../../src/index.js";

function input(batchSize = 100) {
  const table = new NameTable();
  const out: MetricRecord[][] = [];
  const buffer = new MetricBuffer({
    names: table.names,
    batchSize,
    flushIntervalMs: 100,
    emit: (chunk) => out.push(chunk.toRecords()),
  });
  const metrics = new MetricInput({ table, buffer, clock: new CoarseClock(), logger: pino({ level: "silent" }) });
  return { metrics, buffer, out };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("MetricInput's collector samples", () => {
  it("a sample that finds the buffer empty is handed on at once, as one batch, with no timer armed", () => {
    const { metrics, buffer, out } = input();
    metrics.ingest({ cpu: 1, mem: 2, label: "x" as unknown as number }, 5);
    expect(out).toEqual([
      [
        { name: "cpu", value: 1, step: 0, timestamp: 5 },
        { name: "mem", value: 2, step: 0, timestamp: 5 },
      ],
    ]);
    expect(vi.getTimerCount()).toBe(0);
    metrics.ingest({ cpu: 3 }, 6);
    expect(out[1]).toEqual([{ name: "cpu", value: 3, step: 1, timestamp: 6 }]);
    expect(vi.getTimerCount()).toBe(0);
    buffer.close();
  });

  it("a sample that finds points waiting joins their batch, sealed by their timer", () => {
    const { metrics, buffer, out } = input();
    metrics.log("loss", 0.5, undefined, 1);
    metrics.ingest({ cpu: 1 }, 2);
    expect(out).toEqual([]);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(100);
    expect(out.map((b) => b.map((p) => p.name))).toEqual([["loss", "cpu"]]);
    buffer.close();
  });

  it("a sample larger than a batch is handed on whole, in full batches and then the rest", () => {
    const { metrics, buffer, out } = input(2);
    metrics.ingest({ a: 1, b: 2, c: 3 }, 1);
    expect(out.map((b) => b.map((p) => p.name))).toEqual([["a", "b"], ["c"]]);
    expect(vi.getTimerCount()).toBe(0);
    buffer.close();
  });

  it("logMetric bursts still wait for the timer and share one batch", () => {
    const { metrics, buffer, out } = input();
    for (let i = 0; i < 5; i++) metrics.log("loss", i, undefined, i);
    expect(out).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(out.map((b) => b.length)).toEqual([5]);
    buffer.close();
  });
});
