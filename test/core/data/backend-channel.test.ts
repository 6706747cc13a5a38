import { describe, expect, it } from "vitest";
import { BackendPlugin, type MetricColumns } from "../../../src/index.js";
import { withTestExperiment } from "../../../src/testing/index.js";
import { tempDir } from "../../helpers/temp-dir.js";

describe("BackendChannel", () => {
  it("delivers a backlog left by a loop that never yielded with turns of the event loop between batches", async () => {
    let ticks = 0;
    class Slow extends BackendPlugin {
      static metadata = { name: "slow", type: "backend" as const };
      static seen: number[] = [];
      logMetric(): void {}
      // A backend whose every batch takes a while (on the caller's thread): the run's timers
      // still get their turns while the backlog drains.
      override logMetricColumns(columns: MetricColumns): void {
        Slow.seen.push(ticks);
        const until = performance.now() + 2;
        while (performance.now() < until) void columns.length;
      }
    }
    const exp = await withTestExperiment({ cwd: await tempDir(), backends: ["slow"], batchSize: 64 }, [Slow]);
    for (let i = 0; i < 64 * 40; i++) exp.logMetric("m", i, i);
    const timer = setInterval(() => ticks++, 1);
    try {
      await exp.flush();
    } finally {
      clearInterval(timer);
    }
    await exp.stop();
    expect(Slow.seen).toHaveLength(40);
    // Without the turns, every batch of the backlog would see the counter as it was at the start.
    expect(Slow.seen.at(-1)).toBeGreaterThan(Slow.seen[0] as number);
  });
});
