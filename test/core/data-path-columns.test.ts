import { cpSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { columnsOf, recordsOf } from "../../src/core/data/metric-columns.js";
import { findSpools, replaySpool } from "../../src/core/data/replay-spool.js";
import { BackendPlugin, definePlugin, type MetricColumns, type MetricRecord } from "../../src/index.js";
import { MemoryBackend, withTestExperiment } from "../../src/testing/index.js";
import { tempDir } from "../helpers/temp-dir.js";

const T0 = 1_795_000_000_000;
// Names with `/` and outside ASCII, NaN and ±Infinity, steps past 2^31.
const NAMES = ["train/loss", "δ/μ", "lr"];
const VALUES = [0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 1e-300];
const point = (i: number): MetricRecord => ({
  name: NAMES[i % 3] as string,
  value: VALUES[i % VALUES.length] as number,
  step: i % 2 === 0 ? i : 2 ** 31 + i,
  timestamp: T0 + i * 7,
});
const expected = (n: number) => Array.from({ length: n }, (_, i) => point(i));

/** A backend that takes columns only (its logMetric and logMetrics throw); one class per name. */
function columnar(name: string, vandal = false) {
  return class extends BackendPlugin {
    static metadata = { name, type: "backend" as const };
    static last: { points: MetricRecord[]; calls: number; columnsCalls: number; fail: number } | undefined;
    points: MetricRecord[] = [];
    columnsCalls = 0;
    calls = 0;
    // Deliveries to refuse before taking them.
    fail = 0;

    constructor() {
      super();
      (this.constructor as unknown as { last: unknown }).last = this;
    }

    logMetric(): void {
      throw new Error("columns only");
    }

    override logMetrics(): void {
      throw new Error("columns only");
    }

    override logMetricColumns(columns: MetricColumns): void {
      this.calls++;
      if (this.fail > 0) {
        this.fail--;
        throw new Error("refused");
      }
      this.columnsCalls++;
      this.points.push(...recordsOf(columns));
      if (vandal) {
        columns.ids.fill(0);
        columns.values.fill(42);
        columns.steps.fill(-1);
        columns.times.fill(0);
        expect(() => {
          (columns.names as string[])[0] = "hacked";
        }).toThrow();
        expect(Object.isFrozen(columns.names)).toBe(true);
      }
    }
  };
}

function log(exp: { logMetric: (n: string, v: number, s: number, o: { timestamp: number }) => void }, n: number) {
  for (const p of expected(n)) exp.logMetric(p.name, p.value, p.step, { timestamp: p.timestamp });
}

describe("columnar delivery (logMetricColumns)", () => {
  it("is preferred over logMetrics, with exactly the points and timestamps of the record path", async () => {
    const Cols = columnar("cols");
    const exp = await withTestExperiment({ cwd: await tempDir(), backends: ["cols", "memory"], batchSize: 16 }, [Cols]);
    log(exp, 100);
    await exp.stop();
    expect(Cols.last?.points).toEqual(expected(100));
    expect(MemoryBackend.last?.points).toEqual(expected(100));
    expect(Cols.last?.columnsCalls).toBeGreaterThan(1);
  });

  it("a backend that overwrites its columns changes nothing another backend (columnar or not) receives", async () => {
    const Vandal = columnar("vandal", true);
    const Other = columnar("other");
    const exp = await withTestExperiment(
      { cwd: await tempDir(), backends: ["vandal", "other", "memory"], batchSize: 16 },
      [Vandal, Other],
    );
    const tapped: MetricRecord[] = [];
    exp.hooks.metrics.tap("t", (batch) => void tapped.push(...batch));
    log(exp, 64);
    await exp.flush();
    log(exp, 64);
    await exp.stop();
    const twice = [...expected(64), ...expected(64)];
    expect(Vandal.last?.points).toEqual(twice);
    expect(Other.last?.points).toEqual(twice);
    expect(MemoryBackend.last?.points).toEqual(twice);
    expect(tapped).toEqual(twice);
  });

  it("a refused call is retried with the same whole batch; spooled points come back as columns", async () => {
    const Flaky = columnar("flaky");
    const exp = await withTestExperiment(
      { cwd: await tempDir(), backends: ["flaky"], batchSize: 8, retry: { initialDelayMs: 1, maxDelayMs: 2 } },
      [Flaky],
    );
    Flaky.last!.fail = 3;
    log(exp, 40);
    await vi.waitFor(() => expect(Flaky.last?.points).toHaveLength(40));
    await exp.stop();
    expect(Flaky.last?.points).toEqual(expected(40));
    expect(Flaky.last?.calls).toBe(Flaky.last!.columnsCalls + 3);
  });

  it("replaySpool hands a columnar backend columns and a record backend records, the same points", async () => {
    const Down = columnar("down");
    const exp = await withTestExperiment(
      {
        cwd: await tempDir(),
        backends: ["down"],
        batchSize: 8,
        retry: { initialDelayMs: 1, maxDelayMs: 2, quarantineAfter: 1 },
      },
      [Down],
    );
    Down.last!.fail = Number.POSITIVE_INFINITY;
    log(exp, 50);
    await vi.waitFor(() => expect(exp.status().plugins[0]?.state).toBe("quarantined"));
    await exp.stop();
    // A copy of the spool for the record backend (a replay deletes what it delivered).
    const copy = await tempDir();
    cpSync(join(exp.runDir, "spool"), join(copy, "spool"), { recursive: true });
    const got: MetricRecord[] = [];
    const withColumns = vi.fn((c: MetricColumns) => void got.push(...recordsOf(c)));
    await replaySpool(findSpools(exp.runDir)[0]!, { logMetric: () => {}, logMetricColumns: withColumns }, 20);
    expect(got).toEqual(expected(50));
    expect(withColumns).toHaveBeenCalledTimes(3);
    const records = new MemoryBackend();
    await replaySpool(findSpools(copy)[0]!, records, 20);
    expect(records.points).toEqual(expected(50));
  });

  it("definePlugin forwards logMetricColumns; a backend without it still gets records", async () => {
    const seen: MetricRecord[] = [];
    const Defined = definePlugin({
      name: "defined-cols",
      type: "backend",
      configSchema: { type: "object" },
      setup: () => ({
        logMetric: () => {
          throw new Error("columns only");
        },
        logMetricColumns: (c: MetricColumns) => void seen.push(...recordsOf(c)),
      }),
    });
    const exp = await withTestExperiment({ cwd: await tempDir(), backends: ["defined-cols", "memory"] }, [Defined]);
    log(exp, 30);
    await exp.stop();
    expect(seen).toEqual(expected(30));
    expect(MemoryBackend.last?.points).toEqual(expected(30));
  });

  it("columnsOf and recordsOf are inverse (steps as the record path gives them)", () => {
    const points = expected(20);
    expect(recordsOf(columnsOf(points))).toEqual(points);
    expect(Object.isFrozen(columnsOf(points).names)).toBe(true);
  });
});
