import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { CollectEvent } from "../../../src/core/hooks.js";
import {
  CollectorTimer,
  MIN_COLLECT_INTERVAL_MS,
  SampleAverager,
} from "../../../src/core/lifecycle/collector-scheduler.js";
import type { PluginHost } from "../../../src/core/lifecycle/plugin-host.js";

type Collect = () => Record<string, number> | Promise<Record<string, number>>;

function fakeHost(collect: Collect, config: Record<string, unknown> = {}): PluginHost {
  return {
    name: "c",
    state: "started",
    config,
    stats: { points: 0 },
    collector: { collect },
    async call(_hook: string, _timeout: number, fn: (s: AbortSignal) => unknown) {
      try {
        return { ok: true, value: await fn(new AbortController().signal) };
      } catch (error) {
        return { ok: false, error };
      }
    },
  } as unknown as PluginHost;
}

function run(collect: Collect, intervalMs: number, config: Record<string, unknown> = {}) {
  const events: CollectEvent[] = [];
  const host = fakeHost(collect, config);
  const scheduler = new CollectorTimer({ host, intervalMs, timeoutMs: 10_000, onSample: (e) => events.push(e) });
  scheduler.start();
  return { scheduler, events, host };
}

const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance", "Date"] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("CollectorTimer", () => {
  it("samples on a drift-corrected schedule: a slow collect does not push later ticks back", async () => {
    const calls: number[] = [];
    const { scheduler } = run(async () => {
      calls.push(performance.now());
      await later(30);
      return { x: 1 };
    }, 100);
    await vi.advanceTimersByTimeAsync(450);
    await scheduler.stop();
    expect(calls).toEqual([100, 200, 300, 400]);
  });

  it("never overlaps collects: ticks missed while one runs are skipped, not queued", async () => {
    let running = 0;
    let most = 0;
    const calls: number[] = [];
    const { scheduler } = run(async () => {
      calls.push(performance.now());
      running++;
      most = Math.max(most, running);
      await later(250);
      running--;
      return { x: 1 };
    }, 100);
    await vi.advanceTimersByTimeAsync(1000);
    const stopped = scheduler.stop();
    await vi.advanceTimersByTimeAsync(300);
    await stopped;
    expect(most).toBe(1);
    expect(calls).toEqual([100, 400, 700, 1000]);
    expect(scheduler.skipped).toBeGreaterThanOrEqual(6);
  });

  it("raises an interval below 100 ms to 100 ms, and defaults a missing one to 10 s", async () => {
    const calls: number[] = [];
    const { scheduler } = run(() => {
      calls.push(performance.now());
      return {};
    }, 10);
    expect(scheduler.interval).toBe(MIN_COLLECT_INTERVAL_MS);
    await vi.advanceTimersByTimeAsync(250);
    await scheduler.stop();
    expect(calls).toEqual([100, 200]);
    const other = new CollectorTimer({
      host: fakeHost(() => ({})),
      intervalMs: Number.NaN,
      timeoutMs: 1,
      onSample: () => {},
    });
    expect(other.interval).toBe(10_000);
  });

  it("averages N samples (samplesBeforeLogging) into one point, each metric over the samples that had it", async () => {
    let n = 0;
    const { scheduler, events, host } = run(
      (): Record<string, number> => {
        n++;
        return n === 2 ? { a: n } : { a: n, b: 10 * n };
      },
      100,
      { samplesBeforeLogging: 3 },
    );
    await vi.advanceTimersByTimeAsync(350);
    expect(events).toHaveLength(1);
    expect(events[0].values).toEqual({ a: 2, b: 20 });
    expect(host.stats.points).toBe(2);
    await vi.advanceTimersByTimeAsync(100);
    await scheduler.stop();
    // At stop the engine takes one last sample: the partial average is emitted, not lost.
    await scheduler.sampleNow();
    expect(events).toHaveLength(2);
    expect(events[1].values).toEqual({ a: 4.5, b: 45 });
  });

  it("emits nothing for an empty sample or a failed collect, and keeps sampling after a failure", async () => {
    let n = 0;
    const { scheduler, events } = run((): Record<string, number> => {
      n++;
      if (n === 1) return {};
      if (n === 2) throw new Error("boom");
      return { ok: n };
    }, 100);
    await vi.advanceTimersByTimeAsync(350);
    await scheduler.stop();
    expect(events.map((e) => e.values)).toEqual([{ ok: 3 }]);
  });

  it("emits a copy of each sample's numeric values when samples are not averaged (the default)", async () => {
    const returned: Record<string, unknown>[] = [];
    const { scheduler, events } = run((): Record<string, number> => {
      const sample = { a: returned.length, text: "x", none: null, b: Number.NaN };
      returned.push(sample);
      return sample as unknown as Record<string, number>;
    }, 100);
    await vi.advanceTimersByTimeAsync(250);
    await scheduler.stop();
    expect(events.map((e) => e.values)).toEqual([
      { a: 0, b: Number.NaN },
      { a: 1, b: Number.NaN },
    ]);
    // The collector keeps its object: what is emitted is not it.
    expect(events[0].values).not.toBe(returned[0]);
  });

  it("does not collect from a collector that is no longer started", async () => {
    const collect = vi.fn(() => ({ x: 1 }));
    const { scheduler, host } = run(collect, 100);
    (host as unknown as { state: string }).state = "quarantined";
    await vi.advanceTimersByTimeAsync(250);
    await scheduler.stop();
    expect(collect).not.toHaveBeenCalled();
  });

  it("stop() waits for a running collect and no tick fires afterwards", async () => {
    const calls: number[] = [];
    const { scheduler } = run(async () => {
      calls.push(performance.now());
      await later(50);
      return { x: 1 };
    }, 100);
    await vi.advanceTimersByTimeAsync(120);
    const stopped = scheduler.stop();
    await vi.advanceTimersByTimeAsync(50);
    await stopped;
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toEqual([100]);
  });
});

describe("SampleAverager", () => {
  it("takes means and starts over", () => {
    const avg = new SampleAverager();
    avg.add({ a: 1 });
    avg.add({ a: 3, b: 5 });
    expect(avg.samples).toBe(2);
    expect(avg.take()).toEqual({ a: 2, b: 5 });
    expect(avg.take()).toEqual({});
    expect(avg.samples).toBe(0);
  });
});
