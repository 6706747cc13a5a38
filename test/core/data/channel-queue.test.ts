import { join } from "node:path";
import pino from "pino";
import { describe, expect, it, vi } from "vitest";
import { ChannelQueue } from "../../../src/core/data/channel-queue.js";
import { MetricChunk } from "../../../src/core/data/metric-chunk.js";
import { findSpools, replaySpool } from "../../../src/core/data/replay-spool.js";
import { Spool } from "../../../src/core/data/spool.js";
import type { MetricRecord } from "../../../src/index.js";
import { spoolPoints as points, spoolRun as run } from "../../helpers/dying-spool.js";
import { tempDir } from "../../helpers/temp-dir.js";

// The segment's deletion is where the live process dies: the backend took the segment's last
// batch, the segment file is still there for `tracelet sync`.
const dying = vi.hoisted(() => ({ armed: false }));
vi.mock("../../../src/core/data/spool-files.js", async (original) =>
  (await import("../../helpers/dying-spool.js")).withDyingRemove(original as never, dying),
);

describe("ChannelQueue", () => {
  it("a live replay killed after a segment's last batch, before the segment is deleted, leaves nothing for sync to send twice", async () => {
    const runDir = await tempDir();
    const spool = new Spool(join(runDir, "spool", "b"), { plugin: "b", config: {}, run });
    const queue = new ChannelQueue(spool, pino({ level: "silent" }), "b", () => {});
    queue.push(MetricChunk.fromRecords(points(4), 1), true);

    const got: number[] = [];
    dying.armed = true;
    for (;;) {
      const entry = queue.head();
      const batch = await queue.next(2);
      if (!entry || !batch) break;
      got.push(...batch.map((p) => p.step));
      const advanced = queue.advance(entry, batch.length);
      if (got.length === 4) {
        await expect(advanced).rejects.toThrow(/killed/);
        break;
      }
      await advanced;
    }
    expect(got).toEqual([0, 1, 2, 3]);

    dying.armed = false;
    const [left] = findSpools(runDir);
    expect(left?.segments).toHaveLength(1);
    const backend = { logMetric: () => {}, logMetrics: (b: MetricRecord[]) => void got.push(...b.map((p) => p.step)) };
    const done = await replaySpool(left as never, backend, 2);
    expect(done.points).toBe(0);
    expect(got).toEqual([0, 1, 2, 3]);
  });
});
