import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PluginManager, startExperiment } from "../../src/index.js";
import { MemoryBackend } from "../../src/testing/index.js";
import { FlakyBackend, OneByOneBackend, SlowBackend } from "../fixtures/data-path/test-backends.js";
import { tempDir } from "../helpers/temp-dir.js";

function manager(cwd: string): PluginManager {
  const m = new PluginManager({ cwd });
  for (const cls of [MemoryBackend, FlakyBackend, SlowBackend, OneByOneBackend]) m.registerPlugin(cls);
  return m;
}

const tick = () => new Promise((r) => setImmediate(r));

afterEach(() => {
  FlakyBackend.failFirst = 0;
  FlakyBackend.failing = false;
  SlowBackend.delayMs = 20;
});

describe("the metric data path", () => {
  it("survives an outage: batches spool on disk, then replay in order with zero loss", async () => {
    const cwd = await tempDir();
    FlakyBackend.failing = true;
    const exp = await startExperiment({
      cwd,
      manager: manager(cwd),
      backends: ["flaky", "memory"],
      logLevel: "silent",
      batchSize: 100,
      retry: { initialDelayMs: 2, maxDelayMs: 10 },
      quarantineAfter: 1000, // every failed attempt counts: keep this outage short of quarantine
    });
    const spooled: number[] = [];
    for (let i = 0; i < 5000; i++) {
      exp.logMetric(i % 3 === 0 ? "loss" : "acc", i, i);
      if (i % 250 === 249) {
        await tick();
        spooled.push(exp.status().delivery.flaky.spooledPoints);
      }
    }
    await vi.waitFor(() => expect(exp.status().delivery.flaky.retries).toBeGreaterThan(3));
    expect(FlakyBackend.last!.points).toEqual([]);
    FlakyBackend.failing = false; // the server is back
    const report = await exp.stop();
    const flaky = FlakyBackend.last!;
    expect(flaky.points.map((p) => p.value)).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(MemoryBackend.last!.points).toHaveLength(5000);
    expect(Math.max(...spooled)).toBeGreaterThan(0);
    expect(report.failures.filter((f) => f.plugin === "flaky" && f.hook === "logMetrics")).toHaveLength(1);
    expect(report.spooled).toEqual({});
    expect(exp.status().plugins.find((p) => p.name === "flaky")?.state).toBe("stopped");
    const spoolDir = join(exp.runDir, "spool", "flaky");
    expect(existsSync(spoolDir) ? readdirSync(spoolDir).filter((f) => f.endsWith(".tls")) : []).toEqual([]);
  });

  it("leaves undeliverable points in the spool at stop and reports them", async () => {
    const cwd = await tempDir();
    FlakyBackend.failFirst = Number.POSITIVE_INFINITY;
    const exp = await startExperiment({
      cwd,
      manager: manager(cwd),
      backends: ["flaky"],
      logLevel: "silent",
      batchSize: 50,
      retry: { initialDelayMs: 1, maxDelayMs: 5 },
      timeouts: { flush: 200 },
    });
    for (let i = 0; i < 300; i++) exp.logMetric("m", i, i);
    const report = await exp.stop();
    expect(report.spooled).toEqual({ flaky: 300 });
    const files = readdirSync(join(exp.runDir, "spool", "flaky"));
    expect(files).toContain("backend.json");
    expect(files.filter((f) => /^\d{13}-\d{12}\.tls$/.test(f)).length).toBeGreaterThan(0);
  });

  it("flush() during an outage resolves at the flush deadline with every point safe in the spool", async () => {
    const cwd = await tempDir();
    FlakyBackend.failing = true;
    const exp = await startExperiment({
      cwd,
      manager: manager(cwd),
      backends: ["flaky", "memory"],
      logLevel: "silent",
      retry: { initialDelayMs: 1, maxDelayMs: 5 },
      timeouts: { flush: 100 },
      quarantineAfter: 1000,
    });
    for (let i = 0; i < 500; i++) exp.logMetric("m", i, i);
    await exp.flush();
    expect(MemoryBackend.last!.points).toHaveLength(500);
    expect(exp.status().delivery.flaky).toMatchObject({ outage: true, queuedPoints: 0, spooledPoints: 500 });
    FlakyBackend.failing = false;
    await exp.stop();
    expect(FlakyBackend.last!.points.map((p) => p.step)).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });

  it("bounds memory behind a slow backend by spilling to the spool, and keeps order", async () => {
    const cwd = await tempDir();
    SlowBackend.delayMs = 5;
    const exp = await startExperiment({
      cwd,
      manager: manager(cwd),
      backends: ["slow", "memory"],
      logLevel: "silent",
      batchSize: 100,
      maxQueuedPoints: 300,
    });
    let maxQueued = 0;
    let maxSpooled = 0;
    for (let i = 0; i < 3000; i++) {
      exp.logMetric("x", i, i);
      if (i % 100 === 99) {
        await tick();
        const d = exp.status().delivery.slow;
        maxQueued = Math.max(maxQueued, d.queuedPoints);
        maxSpooled = Math.max(maxSpooled, d.spooledPoints);
      }
    }
    // The fast backend is not held back by the slow one.
    expect(MemoryBackend.last!.points.length).toBeGreaterThan(2500);
    await exp.flush();
    expect(SlowBackend.last!.points.map((p) => p.step)).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(maxQueued).toBeLessThanOrEqual(300);
    expect(maxSpooled).toBeGreaterThan(0);
    await exp.stop();
  });

  it("flush() resolves once every backend has everything logged before it", async () => {
    const cwd = await tempDir();
    const exp = await startExperiment({ cwd, manager: manager(cwd), backends: ["slow", "memory"], logLevel: "silent" });
    for (let i = 0; i < 10; i++) exp.logMetric("x", i);
    await exp.flush();
    expect(SlowBackend.last!.points).toHaveLength(10);
    expect(MemoryBackend.last!.points).toHaveLength(10);
    await exp.stop();
  });

  it("delivers points logged while the run is stopping, then refuses more", async () => {
    const cwd = await tempDir();
    const exp = await startExperiment({ cwd, manager: manager(cwd), backends: ["slow"], logLevel: "silent" });
    exp.logMetric("x", 0, 0);
    const stopping = exp.stop();
    expect(exp.status().state).toBe("stopping");
    for (let i = 1; i <= 100; i++) exp.logMetric("x", i, i);
    await tick();
    exp.logMetric("x", 101, 101);
    await stopping;
    expect(SlowBackend.last!.points.map((p) => p.step)).toEqual(Array.from({ length: 102 }, (_, i) => i));
    expect(() => exp.logMetric("x", 1)).toThrow(expect.objectContaining({ code: "TRACELET_ERR_RUN_STOPPED" }));
  });

  it("falls back to logMetric one by one for a backend without logMetrics", async () => {
    const cwd = await tempDir();
    const exp = await startExperiment({ cwd, manager: manager(cwd), backends: ["one-by-one"], logLevel: "silent" });
    exp.logMetrics({ a: 1, b: 2 }, 7);
    await exp.stop();
    expect(OneByOneBackend.last!.seen).toEqual([
      ["a", 1, 7],
      ["b", 2, 7],
    ]);
  });

  it("sends batches on size and on time", async () => {
    const cwd = await tempDir();
    const exp = await startExperiment({
      cwd,
      manager: manager(cwd),
      backends: ["memory"],
      logLevel: "silent",
      batchSize: 10,
      flushIntervalMs: 20,
    });
    const sizes: number[] = [];
    exp.hooks.metrics.tap("test", (batch) => sizes.push(batch.length));
    for (let i = 0; i < 25; i++) exp.logMetric("x", i);
    // A full batch is sealed and handed on at once; the partial one waits for the interval.
    expect(sizes).toEqual([10, 10]);
    await vi.waitFor(() => expect(sizes).toEqual([10, 10, 5]));
    await exp.stop();
  });

  it("keeps timestamps: explicit ones as given, others from the clock in ms", async () => {
    const cwd = await tempDir();
    const exp = await startExperiment({ cwd, manager: manager(cwd), backends: ["memory"], logLevel: "silent" });
    const before = Date.now();
    exp.logMetric("t", 1, 0, { timestamp: 1234 });
    exp.logMetric("t", 2);
    await exp.stop();
    const [a, b] = MemoryBackend.last!.points;
    expect(a.timestamp).toBe(1234);
    expect(b.timestamp).toBeGreaterThanOrEqual(before);
    expect(b.timestamp).toBeLessThanOrEqual(Date.now());
  });
});
