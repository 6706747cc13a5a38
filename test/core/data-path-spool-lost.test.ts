import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PluginManager, startExperiment } from "../../src/index.js";
import { FlakyBackend } from "../fixtures/data-path/test-backends.js";
import { tempDir } from "../helpers/temp-dir.js";

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

afterEach(() => {
  FlakyBackend.failing = false;
});

describe("a spool segment that vanishes before it is replayed", () => {
  it("is dropped (its points are gone) and delivery goes on, in order", async () => {
    const cwd = await tempDir();
    const manager = new PluginManager({ cwd });
    manager.registerPlugin(FlakyBackend);
    FlakyBackend.failing = true;
    const exp = await startExperiment({
      cwd,
      manager,
      backends: ["flaky"],
      logLevel: "silent",
      batchSize: 50,
      retry: { initialDelayMs: 2, maxDelayMs: 10 },
      quarantineAfter: 1000,
    });
    // The first segment is read (and kept in memory) by the failing attempts; the second is not.
    for (let i = 0; i < 100; i++) exp.logMetric("m", i, i);
    await vi.waitFor(() => expect(exp.status().delivery.flaky.retries).toBeGreaterThan(1));
    for (let i = 100; i < 200; i++) exp.logMetric("m", i, i);
    await vi.waitFor(() => expect(exp.status().delivery.flaky.spooledPoints).toBe(200));
    const dir = join(exp.runDir, "spool", "flaky");
    const segments = readdirSync(dir)
      .filter((f) => f.endsWith(".jsonl"))
      .sort();
    expect(segments).toHaveLength(2);
    rmSync(join(dir, segments[1] as string));
    FlakyBackend.failing = false;
    await exp.flush();
    expect(FlakyBackend.last!.points.map((p) => p.step)).toEqual(range(0, 100));
    // Were the missing file waited for, every later point would queue behind it until the run ended.
    for (let i = 200; i < 300; i++) exp.logMetric("m", i, i);
    await exp.flush();
    expect(FlakyBackend.last!.points.map((p) => p.step)).toEqual([...range(0, 100), ...range(200, 300)]);
    expect(exp.status().delivery.flaky).toMatchObject({ queuedPoints: 0, spooledPoints: 0 });
    const report = await exp.stop();
    expect(report.spooled).toEqual({});
  });
});
