import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { findSpools, replaySpool } from "../../src/core/data/replay-spool.js";
import { BackendPlugin, type MetricRecord } from "../../src/index.js";
import { MemoryBackend, withTestExperiment } from "../../src/testing/index.js";
import { tempDir } from "../helpers/temp-dir.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Its first delivery hangs until the test opens the gate; it records overlap and late calls. */
class GatedBackend extends BackendPlugin {
  static metadata = { name: "gated", type: "backend" as const };
  static last: GatedBackend | undefined;
  readonly points: MetricRecord[] = [];
  calls = 0;
  running = 0;
  maxRunning = 0;
  stopped = false;
  callsAfterStop = 0;
  pointsAtStop = -1;
  open!: () => void;
  readonly gate = new Promise<void>((r) => {
    this.open = r;
  });

  constructor() {
    super();
    GatedBackend.last = this;
  }

  logMetric(): void {
    throw new Error("use logMetrics");
  }

  override async logMetrics(batch: MetricRecord[]): Promise<void> {
    if (this.stopped) this.callsAfterStop++;
    this.calls++;
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      if (this.calls === 1) await this.gate;
      this.points.push(...batch);
    } finally {
      this.running--;
    }
  }

  override stop(): void {
    this.stopped = true;
    this.pointsAtStop = this.points.length;
  }
}

/** Every delivery fails. */
class DownBackend extends BackendPlugin {
  static metadata = { name: "down", type: "backend" as const };
  static last: DownBackend | undefined;
  calls = 0;

  constructor() {
    super();
    DownBackend.last = this;
  }

  logMetric(): void {
    throw new Error("use logMetrics");
  }

  override logMetrics(): void {
    this.calls++;
    throw new Error(`server down (call ${this.calls})`);
  }
}

const steps = (points: MetricRecord[]) => points.map((p) => p.step);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

afterEach(() => {
  GatedBackend.last?.open();
});

describe("exactly-once delivery per backend", () => {
  it("a backend slower than its deadline on its first call receives every point exactly once and in order", async () => {
    const cwd = await tempDir();
    const exp = await withTestExperiment(
      {
        cwd,
        backends: ["gated", "memory"],
        batchSize: 2,
        retry: { initialDelayMs: 1, maxDelayMs: 2 },
        timeouts: { flush: 20 },
        quarantineAfter: 1000,
      },
      [GatedBackend],
    );
    const timedOut: string[] = [];
    exp.hooks.error.tap("test", ({ plugin, error }) => {
      if (plugin === "gated") timedOut.push(error.code);
    });
    for (let i = 0; i < 10; i++) exp.logMetric("m", i, i);
    await vi.waitFor(() => expect(timedOut).toContain("TRACELET_ERR_HOOK_TIMEOUT"));
    // Time for retries (1-2 ms apart) to start, had the channel not waited for the first call.
    await sleep(30);
    const gated = GatedBackend.last!;
    expect(gated.calls).toBe(1);
    gated.open();
    // flush() waits at most the 20 ms flush deadline: on a loaded machine the replay takes longer.
    await vi.waitFor(() => expect(steps(gated.points)).toEqual(range(10)));
    await exp.flush();
    expect(steps(gated.points)).toEqual(range(10));
    expect(gated.maxRunning).toBe(1);
    const report = await exp.stop();
    expect(steps(gated.points)).toEqual(range(10));
    expect(steps(MemoryBackend.last!.points)).toEqual(range(10));
    expect(report.spooled).toEqual({});
    expect(exp.status().plugins.find((p) => p.name === "gated")?.state).toBe("stopped");
  });

  it("a delivery still in flight at stop is parked in the spool, and taken out again when it completes late", async () => {
    const cwd = await tempDir();
    const exp = await withTestExperiment(
      { cwd, backends: ["gated"], batchSize: 4, timeouts: { flush: 20 }, quarantineAfter: 1000 },
      [GatedBackend],
    );
    for (let i = 0; i < 4; i++) exp.logMetric("m", i, i);
    await vi.waitFor(() => expect(GatedBackend.last!.calls).toBe(1));
    const report = await exp.stop();
    const gated = GatedBackend.last!;
    expect(gated.stopped).toBe(true);
    expect(report.spooled).toEqual({ gated: 4 });
    // Issue 12 B16: the report says which of those may still leave the spool by a late success.
    expect(report.inFlight).toEqual({ gated: 4 });
    const dir = join(exp.runDir, "spool", "gated");
    const segments = () => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".tls")) : []);
    expect(segments()).toHaveLength(1);
    gated.open();
    await vi.waitFor(() => expect(gated.points).toHaveLength(4));
    // The late success removed the parked batch: `tracelet sync` finds nothing to send again.
    await vi.waitFor(() => expect(segments()).toEqual([]));
    expect(findSpools(exp.runDir)).toEqual([]);
    // What sync replays now: spooled less the late success.
    expect(report.spooled.gated - report.inFlight.gated).toBe(0);
    expect(steps(gated.points)).toEqual(range(4));
    expect(gated.callsAfterStop).toBe(0);
    expect(gated.calls).toBe(1);
  });

  it("stop() waits for a delivery that passed its own deadline before calling the backend's stop()", async () => {
    const cwd = await tempDir();
    const exp = await withTestExperiment(
      {
        cwd,
        backends: ["gated"],
        batchSize: 4,
        // The delivery's own deadline is short; the run's flush deadline (the wait at stop) is not.
        timeouts: { flush: 5000, perPlugin: { gated: { flush: 10 } } },
        quarantineAfter: 1000,
      },
      [GatedBackend],
    );
    const gated = GatedBackend.last!;
    const codes: string[] = [];
    exp.hooks.error.tap("test", ({ error }) => codes.push(error.code));
    for (let i = 0; i < 4; i++) exp.logMetric("m", i, i);
    await vi.waitFor(() => expect(codes).toContain("TRACELET_ERR_HOOK_TIMEOUT"));
    const stopping = exp.stop();
    setTimeout(() => gated.open(), 20);
    const report = await stopping;
    expect(gated.pointsAtStop).toBe(4);
    expect(steps(gated.points)).toEqual(range(4));
    expect(gated.calls).toBe(1);
    expect(report.spooled).toEqual({});
  });
});

describe("quarantine of a failing backend", () => {
  it("quarantines after quarantineAfter failed attempts in a row, stops retrying, and spools everything", async () => {
    const cwd = await tempDir();
    const exp = await withTestExperiment(
      {
        cwd,
        backends: ["down", "memory"],
        batchSize: 10,
        // Opt-in: by default a failing backend is in an outage, retried, never quarantined.
        retry: { initialDelayMs: 1, maxDelayMs: 2, quarantineAfter: 3 },
      },
      [DownBackend],
    );
    const codes: string[] = [];
    exp.hooks.error.tap("test", ({ plugin, error }) => {
      if (plugin === "down") codes.push(error.code);
    });
    for (let i = 0; i < 30; i++) exp.logMetric("m", i, i);
    await vi.waitFor(() => expect(exp.status().plugins.find((p) => p.name === "down")?.state).toBe("quarantined"));
    expect(DownBackend.last!.calls).toBe(3);
    // One failure reported for the outage, then the quarantine.
    expect(codes).toEqual(["TRACELET_ERR_HOOK_FAILED", "TRACELET_ERR_PLUGIN_QUARANTINED"]);
    for (let i = 30; i < 50; i++) exp.logMetric("m", i, i);
    await exp.flush();
    await sleep(20);
    expect(DownBackend.last!.calls).toBe(3);
    const report = await exp.stop();
    expect(report.spooled).toEqual({ down: 50 });
    expect(steps(MemoryBackend.last!.points)).toEqual(range(50));
    // Nothing lost: the spool replays every point, in order, into a working backend.
    const [spool] = findSpools(exp.runDir);
    const target = new MemoryBackend();
    expect(await replaySpool(spool, target)).toMatchObject({ points: 50 });
    expect(steps(target.points)).toEqual(range(50));
  });

  it("without the opt-in, failed deliveries never quarantine, whatever the run's quarantineAfter", async () => {
    const cwd = await tempDir();
    const exp = await withTestExperiment(
      {
        cwd,
        backends: ["down"],
        batchSize: 10,
        retry: { initialDelayMs: 1, maxDelayMs: 2 },
        quarantineAfter: 2,
        timeouts: { shutdown: 200 },
      },
      [DownBackend],
    );
    for (let i = 0; i < 30; i++) exp.logMetric("m", i, i);
    await vi.waitFor(() => expect(DownBackend.last!.calls).toBeGreaterThan(10));
    expect(exp.status().plugins.find((p) => p.name === "down")?.state).toBe("started");
    expect(exp.status().delivery.down).toMatchObject({ outage: true });
    await exp.stop();
  });

  it("a success resets the count: failures separated by deliveries never quarantine", async () => {
    const cwd = await tempDir();
    class BlinkingBackend extends DownBackend {
      static override metadata = { name: "blinking", type: "backend" as const };
      readonly points: MetricRecord[] = [];
      override logMetrics(batch?: MetricRecord[]): void {
        this.calls++;
        if (this.calls % 2 === 1) throw new Error("blink");
        this.points.push(...(batch ?? []));
      }
    }
    const exp = await withTestExperiment(
      {
        cwd,
        backends: ["blinking"],
        batchSize: 5,
        retry: { initialDelayMs: 1, maxDelayMs: 1, quarantineAfter: 2 },
      },
      [BlinkingBackend],
    );
    for (let i = 0; i < 20; i++) exp.logMetric("m", i, i);
    await exp.flush();
    const report = await exp.stop();
    const backend = DownBackend.last as BlinkingBackend;
    expect(steps(backend.points)).toEqual(range(20));
    expect(report.spooled).toEqual({});
    expect(exp.status().plugins[0].state).toBe("stopped");
  });
});
