import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { JsonlBackend } from "../../src/backends/jsonl/jsonl-backend.js";
import { createLogger } from "../../src/core/logger.js";
import type { PluginContext } from "../../src/index.js";
import { tempDir } from "../helpers/temp-dir.js";

async function context(replay: boolean): Promise<PluginContext> {
  const runDir = join(await tempDir(), "p", "r1");
  return {
    name: "jsonl",
    logger: createLogger({ level: "silent" }),
    signal: new AbortController().signal,
    run: { project: "p", name: "r1", runId: "r1", role: "main", workerId: 0, workerCount: 1, tags: {}, runDir },
    replay,
  };
}

async function runJson(ctx: PluginContext): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(join(ctx.run.runDir, "run.json"), "utf8"));
}

// A run that ended before `tracelet sync` replays its spool into the backend again.
async function endedRun(replay: boolean): Promise<PluginContext> {
  const ctx = await context(replay);
  const live = new JsonlBackend();
  await live.initialize({}, await context(false).then((c) => ({ ...c, run: ctx.run })));
  live.start();
  await live.stop({ status: "interrupted", signal: "SIGINT" });
  return ctx;
}

describe("the jsonl backend's run status across a replay", () => {
  it("a replay (context.replay) keeps an interrupted run interrupted, its pid and its start", async () => {
    const ctx = await endedRun(true);
    const before = await runJson(ctx);
    const replay = new JsonlBackend();
    await replay.initialize({}, ctx);
    expect(await runJson(ctx)).toEqual(before);
    replay.start();
    replay.logMetrics([{ name: "x", value: 1, step: 0, timestamp: 1 }]);
    await replay.stop();
    expect(await runJson(ctx)).toEqual(before);
    expect(before).toMatchObject({ status: "interrupted", signal: "SIGINT" });
  });

  it("stop() without an end (a caller that is not the engine) keeps the end recorded before", async () => {
    const ctx = await endedRun(false);
    const again = new JsonlBackend();
    await again.initialize({}, ctx);
    again.start();
    await again.stop();
    expect(await runJson(ctx)).toMatchObject({ status: "interrupted", signal: "SIGINT" });
  });

  it("a run with no end recorded ends finished", async () => {
    const ctx = await context(false);
    const b = new JsonlBackend();
    await b.initialize({}, ctx);
    expect(await runJson(ctx)).toMatchObject({ status: "running", pid: process.pid });
    b.start();
    await b.stop();
    expect(await runJson(ctx)).toMatchObject({ status: "finished" });
  });
});
