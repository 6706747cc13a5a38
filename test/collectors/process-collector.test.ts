import { describe, expect, it } from "vitest";
import { ProcessCollector } from "../../src/collectors/process/process-collector.js";
import { testContext } from "./helpers/context.js";

function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {}
}

describe("the process collector", () => {
  it("reports CPU, memory and event-loop delay of this process", async () => {
    const c = new ProcessCollector();
    c.initialize({ eventLoopResolutionMs: 1 }, testContext("process"));
    c.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    spin(120);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const v = c.collect();
    c.stop();
    expect(v["process/cpu_utilization_percentage"]).toBeGreaterThan(0);
    expect(v["process/cpu_utilization_percentage"]).toBeCloseTo(
      v["process/cpu_user_percentage"] + v["process/cpu_system_percentage"],
      10,
    );
    expect(v["process/memory_rss_megabytes"]).toBeGreaterThan(1);
    expect(v["process/heap_used_megabytes"]).toBeLessThanOrEqual(v["process/heap_total_megabytes"]);
    expect(v["process/uptime_seconds"]).toBeGreaterThan(0);
    // The 120 ms spin blocked the loop: the histogram's max shows a long delay.
    expect(v["process/event_loop_delay_max_milliseconds"]).toBeGreaterThan(50);
    expect(v["process/event_loop_delay_max_milliseconds"]).toBeGreaterThanOrEqual(
      v["process/event_loop_delay_mean_milliseconds"],
    );
  });

  it("resets the delay histogram after each sample, so one stall shows once", async () => {
    const c = new ProcessCollector();
    c.initialize({ eventLoopResolutionMs: 1 }, testContext("process"));
    c.start();
    await new Promise((resolve) => setTimeout(resolve, 20));
    spin(120);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const first = c.collect();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = c.collect();
    c.stop();
    expect(first["process/event_loop_delay_max_milliseconds"]).toBeGreaterThan(
      second["process/event_loop_delay_max_milliseconds"] ?? 0,
    );
  });
});
