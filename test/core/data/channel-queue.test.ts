import { mkdirSync, renameSync, rmdirSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { describe, expect, it, vi } from "vitest";
import { ChannelQueue } from "../../../src/core/data/channel-queue.js";
import { MetricChunk } from "../../../src/core/data/metric-chunk.js";
import { findSpools, replaySpool } from "../../../src/core/data/replay-spool.js";
import { Spool } from "../../../src/core/data/spool.js";
import { listSegments } from "../../../src/core/data/spool-files.js";
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

  it("reads the segment after the head while the head is replayed, and reads it again after that read failed", async () => {
    const dir = join(await tempDir(), "spool", "b");
    const spool = new Spool(dir, { plugin: "b", config: {}, run });
    const queue = new ChannelQueue(spool, pino({ level: "silent" }), "b", () => {});
    const names: string[] = [];
    // 16 batches a segment: two full segments (sealed) and one still open.
    for (let s = 1; s <= 33; s++)
      queue.push(MetricChunk.fromRecords([{ name: "m", value: s, step: s, timestamp: s }], s, names), true);
    const second = listSegments(dir)[1] as string;
    // The second segment cannot be read while the first is replayed: a directory in its place.
    renameSync(second, `${second}.away`);
    mkdirSync(second);
    const got: number[] = [];
    const drain = async () => {
      for (;;) {
        const entry = queue.head();
        const batch = await queue.next(4);
        if (!entry || !batch) return;
        got.push(...batch.map((p) => p.step));
        await queue.advance(entry, batch.length);
      }
    };
    await expect(drain()).rejects.toThrow(/EISDIR/);
    expect(got).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    rmdirSync(second);
    renameSync(`${second}.away`, second);
    await drain();
    expect(got).toEqual(Array.from({ length: 33 }, (_, i) => i + 1));
    expect(queue.diskPoints).toBe(0);
    expect(listSegments(dir)).toEqual([]);
  });
});
