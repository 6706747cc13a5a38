import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { CollectorPlugin, PluginManager, startExperiment } from "../../src/index.js";
import { MemoryBackend } from "../../src/testing/index.js";
import { tempDir } from "../helpers/temp-dir.js";

class TickCollector extends CollectorPlugin {
  static metadata = { name: "tick", type: "collector" as const };
  n = 0;
  collect(): Record<string, number> {
    this.n++;
    return { "tick/n": this.n, "tick/bad": Number.NaN };
  }
}

async function memoryRun(cwd: string, options: Record<string, unknown> = {}) {
  const manager = new PluginManager({ cwd });
  manager.registerPlugin(MemoryBackend);
  return startExperiment({ cwd, manager, backends: ["memory"], logLevel: "silent", ...options });
}

describe("the experiment API", () => {
  it("counts steps per metric: explicit steps (0 included) are kept, the counter follows the last one", async () => {
    const exp = await memoryRun(await tempDir());
    exp.logMetric("a", 1);
    exp.logMetric("b", 1, 0);
    exp.logMetric("a", 1, 0);
    exp.logMetric("a", 1);
    exp.logMetric("b", 1, 41);
    exp.logMetric("b", 1);
    exp.logMetrics({ a: 1, c: 1 });
    await exp.stop();
    expect(MemoryBackend.last!.points.map((p) => `${p.name}@${p.step}`)).toEqual([
      "a@0",
      "b@0",
      "a@0",
      "a@1",
      "b@41",
      "b@42",
      "a@2",
      "c@0",
    ]);
  });

  it("flattens nested params to dotted keys, keeping arrays and empty objects as values", async () => {
    const exp = await memoryRun(await tempDir());
    exp.logParams({ lr: 0.1, opt: { name: "adam", betas: [0.9, 0.99], extra: {} }, deep: { a: { b: { c: 1 } } } });
    await exp.stop();
    expect(MemoryBackend.last!.params).toEqual({
      lr: 0.1,
      "opt.name": "adam",
      "opt.betas": [0.9, 0.99],
      "opt.extra": {},
      "deep.a.b.c": 1,
    });
  });

  it("setTags merges tags, fires the tags hook and reaches the jsonl run.json", async () => {
    const cwd = await tempDir();
    const exp = await startExperiment({ cwd, logLevel: "silent", tags: { team: "vision" } });
    const seen: Array<Record<string, string>> = [];
    exp.hooks.tags.tap("test", (t) => seen.push({ ...t }));
    exp.setTags({ stage: "dev" });
    exp.setTags({ stage: "prod" });
    expect(exp.tags).toEqual({ team: "vision", stage: "prod" });
    expect(() => exp.setTags({ n: 1 } as never)).toThrow(
      expect.objectContaining({ code: "TRACELET_ERR_OPTION_INVALID" }),
    );
    await exp.flush();
    expect(JSON.parse(await readFile(join(exp.runDir, "run.json"), "utf8")).tags).toEqual({
      team: "vision",
      stage: "prod",
    });
    await exp.stop();
    expect(seen.at(-1)).toEqual({ team: "vision", stage: "prod" });
    expect(() => exp.setTags({ a: "b" })).toThrow(expect.objectContaining({ code: "TRACELET_ERR_RUN_STOPPED" }));
  });

  it("logArtifact stores a whole directory tree through the jsonl backend", async () => {
    const cwd = await tempDir();
    const src = join(cwd, "ckpt");
    await mkdir(join(src, "sub"), { recursive: true });
    await writeFile(join(src, "a.bin"), "A");
    await writeFile(join(src, "sub", "b.bin"), "B");
    const exp = await startExperiment({ cwd, logLevel: "silent" });
    await exp.logArtifact(src, "checkpoints/epoch-1");
    await exp.stop();
    const base = join(exp.runDir, "artifacts", "checkpoints", "epoch-1");
    expect(await readFile(join(base, "a.bin"), "utf8")).toBe("A");
    expect(await readFile(join(base, "sub", "b.bin"), "utf8")).toBe("B");
  });

  it("merges options: explicit > TRACELET_* environment > package.json, per option", async () => {
    const cwd = await tempDir();
    await writeFile(
      join(cwd, "package.json"),
      JSON.stringify({ name: "host", tracelet: { project: "pkg", role: "pkg-role", workerCount: 4, dir: "pkg-runs" } }),
    );
    process.env.TRACELET_ROLE = "env-role";
    process.env.TRACELET_WORKER_ID = "2";
    process.env.TRACELET_RUN_ID = "env-run-1";
    try {
      const exp = await memoryRun(cwd, { workerId: 3 });
      expect(exp.identity).toMatchObject({
        project: "pkg",
        role: "env-role",
        workerId: 3,
        workerCount: 4,
        runId: "env-run-1",
      });
      expect(exp.runDir).toBe(join(cwd, "pkg-runs", "pkg", "env-run-1"));
      await exp.stop();
    } finally {
      for (const k of ["TRACELET_ROLE", "TRACELET_WORKER_ID", "TRACELET_RUN_ID"]) delete process.env[k];
    }
  });

  it("refuses malformed data-path options with TRACELET_ERR_OPTION_INVALID", async () => {
    const cwd = await tempDir();
    for (const bad of [
      { batchSize: 0 },
      { maxQueuedPoints: -1 },
      { onInvalidMetric: "ignore" },
      { tags: { a: 1 } },
      { retry: { initialDelayMs: -1 } },
      { retry: { every: 5 } },
    ]) {
      await expect(memoryRun(cwd, bad)).rejects.toMatchObject({ code: "TRACELET_ERR_OPTION_INVALID" });
    }
  });

  it("buffers collector samples like logged points: per-metric steps, the sample's timestamp", async () => {
    const cwd = await tempDir();
    const manager = new PluginManager({ cwd });
    manager.registerPlugin(MemoryBackend);
    manager.registerPlugin(TickCollector);
    const exp = await startExperiment({
      cwd,
      manager,
      backends: ["memory"],
      collectors: ["tick"],
      plugins: { tick: { intervalMs: 100 } },
      logLevel: "silent",
    });
    exp.logMetric("tick/n", 100, 7);
    const count = () => MemoryBackend.last!.points.filter((p) => p.name === "tick/n").length;
    await vi.waitFor(
      async () => {
        await exp.flush();
        expect(count()).toBeGreaterThanOrEqual(3);
      },
      { timeout: 10_000, interval: 50 },
    );
    await exp.stop();
    const ticks = MemoryBackend.last!.points.filter((p) => p.name === "tick/n");
    expect(ticks[0]).toMatchObject({ value: 100, step: 7 });
    expect(ticks.length).toBeGreaterThan(2);
    expect(ticks.slice(1).map((p) => p.step)).toEqual(ticks.slice(1).map((_, i) => 8 + i));
    expect(ticks.slice(1).map((p) => p.value)).toEqual(ticks.slice(1).map((_, i) => i + 1));
    expect(MemoryBackend.last!.points.some((p) => p.name === "tick/bad" && Number.isNaN(p.value))).toBe(true);
  });

  it("status() shows each backend's queue", async () => {
    const exp = await memoryRun(await tempDir());
    exp.logMetric("x", 1);
    expect(exp.status().delivery.memory).toEqual({
      queuedPoints: 0,
      spooledPoints: 0,
      spoolDir: join(exp.runDir, "spool", "memory"),
      outage: false,
      retries: 0,
    });
    await exp.stop();
  });
});
