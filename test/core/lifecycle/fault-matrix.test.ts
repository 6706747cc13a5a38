import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import type { Experiment, PluginStatus } from "../../../src/index.js";
import { MemoryBackend, withTestExperiment } from "../../../src/testing/index.js";
import { tempDir } from "../../helpers/temp-dir.js";
import { type Fault, FaultyBackend, FaultyCollector, GoodCollector } from "./fault-plugins.js";

const FAULTS: Fault[] = ["throw", "reject", "hang", "slow"];
const BACKEND_HOOKS = ["initialize", "start", "logMetrics", "logParams", "logArtifact", "flush", "stop"] as const;
// Short deadlines so that a hang turns into a timeout quickly; "slow" (20 ms) stays well inside.
const TIMEOUTS = { initialize: 300, start: 300, collect: 300, flush: 300, stop: 300, shutdown: 10_000 };

function status(exp: Experiment, name: string): PluginStatus {
  return exp.status().plugins.find((p) => p.name === name) as PluginStatus;
}

async function exercise(exp: Experiment, cwd: string): Promise<void> {
  exp.logMetric("loss", 0.5, 1);
  exp.logParams({ lr: 0.1 });
  const file = join(cwd, "model.bin");
  await writeFile(file, "weights");
  await exp.logArtifact(file, "model.bin");
  await exp.flush();
  exp.logMetric("loss", 0.25, 2);
}

describe.each(FAULTS)("a backend that faults (%s)", (fault) => {
  it.each(BACKEND_HOOKS)(`in %s is contained; the other plugins carry on`, async (hook) => {
    const cwd = await tempDir();
    const exp = await withTestExperiment(
      {
        cwd,
        backends: ["memory", "faulty"],
        plugins: { faulty: { hook, fault } },
        timeouts: TIMEOUTS,
        retry: { initialDelayMs: 5, maxDelayMs: 20 },
      },
      [FaultyBackend],
    );
    const memory = MemoryBackend.last as MemoryBackend;
    await exercise(exp, cwd);
    const report = await exp.stop();

    // The others carried on: the memory backend got every point, the params and the artifact.
    expect(memory.points.map((p) => p.value)).toEqual([0.5, 0.25]);
    expect(memory.params).toEqual({ lr: 0.1 });
    expect(memory.artifacts).toHaveLength(1);
    expect(memory.stopped).toBe(true);
    expect(status(exp, "memory").state).toBe("stopped");

    const mine = report.failures.filter((f) => f.plugin === "faulty");
    expect(report.failures.filter((f) => f.plugin !== "faulty")).toEqual([]);
    if (fault === "slow") {
      expect(mine).toEqual([]);
      expect(status(exp, "faulty").stats.calls[hook]).toBeGreaterThan(0);
      return;
    }
    const code = fault === "hang" ? "TRACELET_ERR_HOOK_TIMEOUT" : "TRACELET_ERR_HOOK_FAILED";
    expect(mine[0]).toMatchObject({ plugin: "faulty", hook, code });
    expect(mine[0]?.message).toContain('"faulty"');
    expect(mine[0]?.message).toContain(hook);
    const last = status(exp, "faulty").lastError;
    expect(last?.hook).toBeDefined();
    expect(status(exp, "faulty").stats.failures[hook]).toBeGreaterThan(0);
  });
});

describe.each(FAULTS)("a collector that faults (%s)", (fault) => {
  it.each(["initialize", "collect", "stop"])("in %s is contained; the other collector carries on", async (hook) => {
    const cwd = await tempDir();
    const exp = await withTestExperiment(
      {
        cwd,
        collectors: ["faulty-collector", "good-collector"],
        plugins: { "faulty-collector": { hook, fault, intervalMs: 40 }, "good-collector": { intervalMs: 40 } },
        timeouts: TIMEOUTS,
      },
      [FaultyCollector, GoodCollector],
    );
    const memory = MemoryBackend.last as MemoryBackend;
    await vi.waitFor(() => expect(status(exp, "good-collector").stats.calls.collect).toBeGreaterThan(1), {
      timeout: 5000,
    });
    if (hook === "collect" && fault !== "slow")
      await vi.waitFor(() => expect(status(exp, "faulty-collector").lastError).toBeDefined(), { timeout: 5000 });
    const report = await exp.stop();
    expect(memory.points.some((p) => p.name === "good/value")).toBe(true);
    expect(report.failures.filter((f) => f.plugin !== "faulty-collector")).toEqual([]);
    const mine = report.failures.filter((f) => f.plugin === "faulty-collector");
    if (fault === "slow") {
      expect(mine).toEqual([]);
      return;
    }
    const code = fault === "hang" ? "TRACELET_ERR_HOOK_TIMEOUT" : "TRACELET_ERR_HOOK_FAILED";
    expect(mine[0]).toMatchObject({ plugin: "faulty-collector", hook, code });
    expect(mine[0]?.message).toContain(hook);
  });
});
