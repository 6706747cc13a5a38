import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { JsonlBackend } from "../../src/backends/jsonl/jsonl-backend.js";
import { readSummary } from "../../src/backends/jsonl/run-summary.js";
import { createLogger } from "../../src/core/logger.js";
import type { PluginContext } from "../../src/index.js";
import { tempDir } from "../helpers/temp-dir.js";

afterEach(() => {
  vi.useRealTimers();
});

async function context(): Promise<PluginContext> {
  const runDir = join(await tempDir(), "p", "r1");
  return {
    name: "jsonl",
    logger: createLogger({ level: "silent" }),
    signal: new AbortController().signal,
    run: { project: "p", name: "r1", runId: "r1", role: "main", workerId: 0, workerCount: 1, tags: {}, runDir },
  };
}

describe("the jsonl backend's run.json heartbeat", () => {
  it("is written on the summary's timer, synchronously, with the summary's quiet rewrite", async () => {
    const ctx = await context();
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "setTimeout", "clearTimeout", "Date", "performance"] });
    const backend = new JsonlBackend();
    await backend.initialize({}, ctx);
    backend.start();
    // One timer for both liveness files: the summary's.
    expect(vi.getTimerCount()).toBe(1);
    const runJson = () => JSON.parse(readFileSync(join(ctx.run.runDir, "run.json"), "utf8"));
    const first = runJson().heartbeatAt;
    vi.advanceTimersByTime(10_000);
    // Read back without yielding: the write did not go through the thread pool.
    const beat = runJson();
    expect(beat).toMatchObject({ status: "running", heartbeatIntervalMs: 10_000 });
    expect(beat.heartbeatAt).not.toBe(first);
    expect(beat.heartbeatAt).toBe(new Date().toISOString());
    expect(readSummary(join(ctx.run.runDir, "summary.json"))?.heartbeatAt).toBe(beat.heartbeatAt);
    await backend.stop();
    expect(vi.getTimerCount()).toBe(0);
    expect(runJson()).toMatchObject({ status: "finished" });
  });

  it("a replay writes no heartbeat into the run.json of an ended run", async () => {
    const ctx = await context();
    const live = new JsonlBackend();
    await live.initialize({}, ctx);
    live.start();
    await live.stop({ status: "failed", error: { code: "X", message: "m" } });
    const ended = readFileSync(join(ctx.run.runDir, "run.json"), "utf8");
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "Date", "performance"] });
    const replay = new JsonlBackend();
    await replay.initialize({}, { ...ctx, replay: true });
    replay.start();
    vi.advanceTimersByTime(30_000);
    expect(readFileSync(join(ctx.run.runDir, "run.json"), "utf8")).toBe(ended);
    await replay.stop();
  });
});
