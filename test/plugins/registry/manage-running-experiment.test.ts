import { describe, expect, it, vi } from "vitest";
import { createLogger } from "../../../src/core/logger.js";
import {
  BackendPlugin,
  CollectorPlugin,
  type Experiment,
  type MetricRecord,
  PluginManager,
} from "../../../src/index.js";
import { MemoryBackend, withTestExperiment } from "../../../src/testing/index.js";
import { tempDir } from "../../helpers/temp-dir.js";

/** A backend that keeps what it receives; every instance is kept, in creation order. */
class Late extends BackendPlugin {
  static metadata = { name: "late", type: "backend" as const };
  static all: Late[] = [];
  points: MetricRecord[] = [];
  constructor() {
    super();
    Late.all.push(this);
  }
  logMetric() {}
  override logMetrics(batch: MetricRecord[]) {
    this.points.push(...batch);
  }
}

/** A collector that counts its collects and describes the run once. */
class Ticker extends CollectorPlugin {
  static metadata = { name: "ticker", type: "collector" as const };
  static collects = 0;
  static paramsCalls = 0;
  collect() {
    Ticker.collects++;
    return { tick: Ticker.collects };
  }
  override params() {
    Ticker.paramsCalls++;
    return { ticker: { ready: true } };
  }
}

/** Takes config updates in place (so an update does not re-create it); counts in `Ticker.collects`. */
class HotTicker extends Ticker {
  static override metadata = { name: "hot-ticker", type: "collector" as const };
  override onConfigUpdate() {}
}

/** Describes the run only: says it has no periodic samples. */
class ParamsOnly extends CollectorPlugin {
  static metadata = { name: "params-only", type: "collector" as const };
  static collects = 0;
  collect() {
    ParamsOnly.collects++;
    return { never: 1 };
  }
  override params() {
    return { describe: "the run" };
  }
  override hasPeriodicSamples() {
    return false;
  }
}

const HOUR = 3_600_000;

function quietManager(): PluginManager {
  return new PluginManager({ logger: createLogger({ level: "silent" }) });
}

function ticks(exp: Experiment): number[] {
  void exp;
  return (MemoryBackend.last as MemoryBackend).points.filter((p) => p.name === "tick").map((p) => p.value);
}

// Waits (bounded by the test's own timeout) until the collector has been sampled.
async function sampled(count: () => number): Promise<void> {
  await vi.waitFor(() => expect(count()).toBeGreaterThan(0), { timeout: 10_000, interval: 20 });
}

describe("enabling a plugin during a run that started with it disabled", () => {
  it("a backend receives the points logged after it is enabled, in order", async () => {
    const manager = quietManager();
    await manager.disablePlugin("late");
    const exp = await withTestExperiment({ cwd: await tempDir(), manager, backends: ["memory", "late"] }, [Late]);
    await manager.enablePlugin("late");
    for (let step = 0; step < 5; step++) exp.logMetric("x", step * 10, step);
    await exp.flush();
    const fresh = Late.all.at(-1) as Late;
    expect(fresh.points.map((p) => [p.step, p.value])).toEqual([
      [0, 0],
      [1, 10],
      [2, 20],
      [3, 30],
      [4, 40],
    ]);
    await exp.stop();
    expect(exp.status().plugins.find((p) => p.name === "late")?.state).toBe("stopped");
  });

  // Known gap, fixed only in src/core/data: a backend's channel parks its queue while the backend
  // is inactive and is woken only by the next batch, so a flush right after enablePlugin() waits
  // out the flush deadline and leaves the earlier points in the spool until something else is
  // logged. Turn this into a plain `it` once the pipeline resumes a channel whose host becomes
  // active again (see the helper's report).
  it("a flush right after enabling delivers the points that waited while it was disabled", async () => {
    const manager = quietManager();
    await manager.disablePlugin("late");
    const exp = await withTestExperiment(
      { cwd: await tempDir(), manager, backends: ["memory", "late"], timeouts: { flush: 300 } },
      [Late],
    );
    exp.logMetric("x", 1, 0);
    await exp.flush();
    await manager.enablePlugin("late");
    await exp.flush();
    const fresh = Late.all.at(-1) as Late;
    try {
      expect(fresh.points.map((p) => p.value)).toEqual([1]);
    } finally {
      await exp.stop();
    }
  });

  it("a collector gets scheduled: its samples are logged and its params too", async () => {
    const manager = quietManager();
    await manager.disablePlugin("ticker");
    Ticker.collects = 0;
    Ticker.paramsCalls = 0;
    const exp = await withTestExperiment(
      { cwd: await tempDir(), manager, collectors: ["ticker"], plugins: { ticker: { intervalMs: 100 } } },
      [Ticker],
    );
    expect(await manager.enablePlugin("ticker")).toMatchObject({ ok: true, state: "started" });
    await sampled(() => Ticker.collects);
    await exp.flush();
    expect(ticks(exp).length).toBeGreaterThan(0);
    expect((MemoryBackend.last as MemoryBackend).params).toMatchObject({ "ticker.ready": true });
    // A reload does not describe the run a second time.
    await manager.reloadPlugin("ticker");
    await exp.stop();
    expect(Ticker.paramsCalls).toBe(1);
  });
});

describe("changing a running collector's intervalMs", () => {
  it("reloadPlugin with a new intervalMs reschedules it at the new interval", async () => {
    const manager = quietManager();
    Ticker.collects = 0;
    const exp = await withTestExperiment(
      { cwd: await tempDir(), manager, collectors: ["ticker"], plugins: { ticker: { intervalMs: HOUR } } },
      [Ticker],
    );
    await manager.reloadPlugin("ticker", { intervalMs: 100 });
    // At the old interval the first sample would come in an hour.
    await sampled(() => Ticker.collects);
    await exp.flush();
    expect(ticks(exp).length).toBeGreaterThan(0);
    await exp.stop();
  });

  it("a hot config update (onConfigUpdate) with a new intervalMs reschedules it too", async () => {
    const manager = quietManager();
    Ticker.collects = 0;
    const exp = await withTestExperiment(
      { cwd: await tempDir(), manager, collectors: ["hot-ticker"], plugins: { "hot-ticker": { intervalMs: HOUR } } },
      [HotTicker],
    );
    expect(await manager.updatePluginConfig("hot-ticker", { intervalMs: 100 })).toMatchObject({
      ok: true,
      mode: "hot",
    });
    await sampled(() => Ticker.collects);
    await exp.stop();
  });

  it("a collector enabled after being disabled mid-run is sampled again", async () => {
    const manager = quietManager();
    Ticker.collects = 0;
    const exp = await withTestExperiment(
      { cwd: await tempDir(), manager, collectors: ["ticker"], plugins: { ticker: { intervalMs: HOUR } } },
      [Ticker],
    );
    await manager.disablePlugin("ticker");
    await manager.updatePluginConfig("ticker", { intervalMs: 100 });
    await manager.enablePlugin("ticker");
    await sampled(() => Ticker.collects);
    await exp.stop();
  });
});

describe("params-only collectors", () => {
  it("a collector whose hasPeriodicSamples() is false is never collected, not even at stop", async () => {
    ParamsOnly.collects = 0;
    const exp = await withTestExperiment(
      { cwd: await tempDir(), collectors: ["params-only"], plugins: { "params-only": { intervalMs: 100 } } },
      [ParamsOnly],
    );
    await exp.flush();
    expect((MemoryBackend.last as MemoryBackend).params).toMatchObject({ describe: "the run" });
    const report = await exp.stop();
    expect(report.failures).toEqual([]);
    expect(ParamsOnly.collects).toBe(0);
    expect(exp.status().plugins.find((p) => p.name === "params-only")?.stats.calls.collect).toBeUndefined();
  });

  it("the built-in git and environment collectors are not scheduled", async () => {
    const exp = await withTestExperiment({ cwd: await tempDir(), collectors: ["git", "environment"] });
    await exp.flush();
    expect(Object.keys((MemoryBackend.last as MemoryBackend).params).some((k) => k.startsWith("environment."))).toBe(
      true,
    );
    await exp.stop();
    for (const name of ["git", "environment"]) {
      const status = exp.status().plugins.find((p) => p.name === name);
      expect(status?.state).toBe("stopped");
      expect(status?.stats.calls.collect).toBeUndefined();
    }
  });
});
