import { describe, expect, it } from "vitest";
import { findSpools, replaySpool } from "../../src/core/data/replay-spool.js";
import { BackendPlugin, type MetricRecord } from "../../src/index.js";
import { withTestExperiment } from "../../src/testing/index.js";
import { tempDir } from "../helpers/temp-dir.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A backend whose server is down while `down` is set: every delivery then throws. */
class RemoteBackend extends BackendPlugin {
  static metadata = { name: "remote", type: "backend" as const };
  static last: RemoteBackend | undefined;
  static down = false;
  readonly points: MetricRecord[] = [];
  failures = 0;

  constructor() {
    super();
    RemoteBackend.last = this;
  }

  logMetric(): void {
    throw new Error("unused: logMetrics is the path");
  }

  override logMetrics(batch: MetricRecord[]): void {
    if (RemoteBackend.down) {
      this.failures++;
      throw new Error("ECONNREFUSED");
    }
    this.points.push(...batch);
  }
}

/**
 * Logs from a loop that yields every 200 points, for `outageMs` plus a second, with the backend
 * down for `outageMs` from 200 ms in; then stops.
 */
async function outage(outageMs: number) {
  const cwd = await tempDir();
  RemoteBackend.down = false;
  const exp = await withTestExperiment({ cwd, backends: ["remote"], batchSize: 500 }, [RemoteBackend]);
  let recoveredAt = Number.POSITIVE_INFINITY;
  let sawOutage = false;
  const began = Date.now();
  let step = 0;
  setTimeout(() => {
    RemoteBackend.down = true;
  }, 200);
  setTimeout(() => {
    RemoteBackend.down = false;
    recoveredAt = Date.now();
  }, 200 + outageMs);
  while (Date.now() - began < outageMs + 1000) {
    for (let i = 0; i < 200; i++) exp.logMetric("m", step, step++);
    await sleep(2);
    if (RemoteBackend.down && exp.status().delivery.remote.outage) sawOutage = true;
  }
  const report = await exp.stop();
  const remote = RemoteBackend.last!;
  return { exp, report, remote, recoveredAt, sawOutage, logged: step };
}

function expectEveryPointInOrder(points: MetricRecord[], logged: number, recoveredAt: number): void {
  expect(points.length).toBe(logged);
  expect(points.every((p, i) => p.step === i && p.value === i)).toBe(true);
  // Logging timestamps, not delivery times: points logged during the outage predate the recovery.
  const during = points.filter((p) => p.timestamp < recoveredAt);
  expect(during.length).toBeGreaterThan(0);
  expect(points.every((p, i) => i === 0 || p.timestamp >= points[i - 1].timestamp)).toBe(true);
}

describe("a backend whose server is down for a while (issue 11: an outage is not a misbehaviour)", () => {
  it("down 3 s while a loop logs: it gets every point, in order, with their logging timestamps, before stop() resolves", async () => {
    const { report, remote, recoveredAt, sawOutage, logged, exp } = await outage(3000);
    expect(remote.failures).toBeGreaterThan(0);
    expect(sawOutage).toBe(true);
    expectEveryPointInOrder(remote.points, logged, recoveredAt);
    expect(report.spooled).toEqual({});
    expect(findSpools(exp.runDir)).toEqual([]);
    expect(exp.status().plugins.find((p) => p.name === "remote")?.state).toBe("stopped");
  });

  it("down 30 s: the same, without quarantine and without tracelet sync", { timeout: 120_000 }, async () => {
    const { report, remote, recoveredAt, logged, exp } = await outage(30_000);
    expectEveryPointInOrder(remote.points, logged, recoveredAt);
    expect(report.spooled).toEqual({});
    expect(findSpools(exp.runDir)).toEqual([]);
  });

  it("down for the whole run while a never-yielding loop logs 2M points: all spooled, sync delivers them with their timestamps", async () => {
    const cwd = await tempDir();
    RemoteBackend.down = true;
    const exp = await withTestExperiment({ cwd, backends: ["remote"], timeouts: { flush: 200, shutdown: 2000 } }, [
      RemoteBackend,
    ]);
    const n = 2_000_000;
    const began = Date.now();
    for (let i = 0; i < n; i++) exp.logMetric(`m${i % 1000}`, i, i);
    const ended = Date.now();
    const report = await exp.stop();
    // Issue 12 B16: the count is exactly what sync replays (no call was in flight).
    expect(report.spooled).toEqual({ remote: n });
    expect(report.inFlight).toEqual({});
    expect(report.sync).toEqual([`tracelet sync ${JSON.stringify(exp.runDir)}`]);
    RemoteBackend.down = false;
    const [spool] = findSpools(exp.runDir);
    let next = 0;
    let ordered = true;
    let inWindow = true;
    const target = {
      logMetric() {},
      logMetrics(batch: MetricRecord[]) {
        for (const p of batch) {
          if (p.step !== next || p.value !== next || p.name !== `m${next % 1000}`) ordered = false;
          // The clock the hot path reads may lag by a tick; never delivery time.
          if (p.timestamp < began - 1000 || p.timestamp > ended + 1000) inWindow = false;
          next++;
        }
      },
    };
    const done = await replaySpool(spool, target);
    expect(done.points).toBe(n);
    expect(next).toBe(n);
    expect(ordered).toBe(true);
    expect(inWindow).toBe(true);
  });
});
