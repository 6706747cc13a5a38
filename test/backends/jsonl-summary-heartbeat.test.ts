import { closeSync, openSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { RunSummaryWriter, readSummary } from "../../src/backends/jsonl/run-summary.js";
import { columnsOf } from "../../src/core/data/metric-columns.js";
import type { RunIdentity } from "../../src/core/types.js";
import { tempDir } from "../helpers/temp-dir.js";

const HEARTBEAT_MS = 2_000;
const QUIET_HEARTBEAT_MS = 10_000;
const SUMMARY_TAIL_BYTES = 64 * 1024;

afterEach(() => {
  vi.useRealTimers();
});

describe("the jsonl run summary's heartbeat", () => {
  it("rewrites a slow run's summary every 10 s, and a busy one's every 2 s", async () => {
    const runDir = await tempDir();
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "Date", "performance"] });
    const run = { project: "p", name: "n", runId: "r", role: "main", workerId: 0, workerCount: 1, runDir, tags: {} };
    writeFileSync(join(runDir, "metrics.jsonl"), "");
    const fd = openSync(join(runDir, "metrics.jsonl"), "r");
    const writer = new RunSummaryWriter(runDir, run as unknown as RunIdentity, new Date().toISOString());
    const beat = () => readSummary(join(runDir, "summary.json"))?.heartbeatAt;
    writer.open(fd);
    const first = beat();
    const point = { name: "cpu", value: 1, step: 0, timestamp: Date.now() };
    let bytes = 0;
    const slice = (n: number) => {
      writer.observe(columnsOf([point]), 0, 1, bytes, bytes + n);
      bytes += n;
    };
    // A 1 Hz sample of a few hundred bytes: the 2 s heartbeats leave the summary alone...
    for (let t = HEARTBEAT_MS; t < QUIET_HEARTBEAT_MS - HEARTBEAT_MS / 2; t += HEARTBEAT_MS) {
      slice(300);
      vi.advanceTimersByTime(HEARTBEAT_MS);
      expect(beat()).toBe(first);
    }
    // ...until 10 s have passed.
    slice(300);
    vi.advanceTimersByTime(HEARTBEAT_MS);
    const second = beat();
    expect(second).not.toBe(first);
    expect(readSummary(join(runDir, "summary.json"))?.metricsBytes).toBe(bytes);
    // A busy run: the next heartbeat after enough bytes rewrites it at once.
    slice(SUMMARY_TAIL_BYTES);
    vi.advanceTimersByTime(HEARTBEAT_MS);
    expect(beat()).not.toBe(second);
    expect(readSummary(join(runDir, "summary.json"))?.metricsBytes).toBe(bytes);
    writer.close("finished");
    closeSync(fd);
  });
});
