import { describe, expect, it, vi } from "vitest";
import { MetricBuffer } from "../../../src/core/data/metric-buffer.js";
import type { MetricChunk } from "../../../src/core/data/metric-chunk.js";
import type { MetricRecord } from "../../../src/index.js";

function buffer(options: { batchSize?: number; flushIntervalMs?: number } = {}) {
  const out: Array<{ batch: MetricRecord[]; seq: number }> = [];
  const names = ["a", "b"];
  // Records are made at once: a chunk handed on is reused once nobody holds it.
  const b = new MetricBuffer({
    names,
    ...options,
    emit: (chunk) => out.push({ batch: chunk.toRecords(), seq: chunk.seq }),
  });
  return { b, out };
}

describe("MetricBuffer", () => {
  it("hands on each full batch as it is sealed, in order, with increasing sequence numbers", () => {
    const { b, out } = buffer({ batchSize: 3 });
    for (let i = 0; i < 7; i++) b.push(i % 2, i, i, 1000 + i);
    expect(b.size).toBe(1);
    expect(out.map((o) => o.seq)).toEqual([1, 2]);
    expect(out.flatMap((o) => o.batch.map((p) => p.step))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(out[0].batch[1]).toEqual({ name: "b", value: 1, step: 1, timestamp: 1001 });
    b.drain();
    expect(out.map((o) => o.batch.length)).toEqual([3, 3, 1]);
    expect(b.lastSeq).toBe(3);
    b.close();
  });

  it("reuses a chunk nobody holds any more, and never one a queue still holds", () => {
    const held: MetricChunk[] = [];
    const b = new MetricBuffer({
      names: ["a"],
      batchSize: 2,
      emit: (chunk) => {
        if (chunk.seq === 1) {
          chunk.refs++;
          held.push(chunk);
        }
      },
    });
    for (let i = 0; i < 6; i++) b.push(0, i, i, 0);
    expect(held[0].toRecords().map((p) => p.value)).toEqual([0, 1]);
    held[0].refs--;
    b.recycle(held[0]);
    for (let i = 6; i < 8; i++) b.push(0, i, i, 0);
    expect(held[0].length).toBe(0);
    b.close();
  });

  it("seals a partial batch on its timer", async () => {
    const { b, out } = buffer({ batchSize: 100, flushIntervalMs: 5 });
    b.push(0, 1, 0, 0);
    await new Promise((r) => setTimeout(r, 30));
    expect(out.map((o) => o.batch.length)).toEqual([1]);
    b.close();
  });

  it("arms its timer only while points wait: an idle buffer schedules nothing", () => {
    vi.useFakeTimers();
    try {
      const { b, out } = buffer({ batchSize: 100, flushIntervalMs: 100 });
      expect(vi.getTimerCount()).toBe(0);
      b.push(0, 1, 0, 0);
      b.push(1, 2, 0, 0);
      expect(vi.getTimerCount()).toBe(1);
      vi.advanceTimersByTime(99);
      expect(out).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(out.map((o) => o.batch.length)).toEqual([2]);
      vi.advanceTimersByTime(1000);
      expect(out).toHaveLength(1);
      expect(vi.getTimerCount()).toBe(0);
      b.push(0, 3, 1, 0);
      expect(vi.getTimerCount()).toBe(1);
      vi.advanceTimersByTime(101);
      expect(out.map((o) => o.seq)).toEqual([1, 2]);
      expect(vi.getTimerCount()).toBe(0);
      b.push(0, 4, 2, 0);
      b.close();
      expect(vi.getTimerCount()).toBe(0);
      b.drain();
      expect(out.map((o) => o.batch.length)).toEqual([2, 1, 1]);
    } finally {
      vi.useRealTimers();
    }
  });
});
