import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { MetricChunk } from "../../../src/core/data/metric-chunk.js";
import { findSpools, replaySpool } from "../../../src/core/data/replay-spool.js";
import { Spool } from "../../../src/core/data/spool.js";
import type { MetricRecord } from "../../../src/index.js";
import { spoolPoints as points, spoolRun as run } from "../../helpers/dying-spool.js";
import { tempDir } from "../../helpers/temp-dir.js";

// The segment's deletion is where the replaying process dies: everything before it has run
// (the backend took and flushed every batch), the segment file is still there.
const dying = vi.hoisted(() => ({ armed: false }));
vi.mock("../../../src/core/data/spool-files.js", async (original) =>
  (await import("../../helpers/dying-spool.js")).withDyingRemove(original as never, dying),
);

describe("replaySpool", () => {
  it("a replay killed after the last batch was flushed, before the segment is deleted, sends nothing twice", async () => {
    const runDir = await tempDir();
    const spool = new Spool(join(runDir, "spool", "b"), { plugin: "b", config: {}, run });
    spool.seal(spool.append(undefined, MetricChunk.fromRecords(points(5), 1)));
    const got: number[] = [];
    const backend = { logMetric: () => {}, logMetrics: (b: MetricRecord[]) => void got.push(...b.map((p) => p.step)) };

    dying.armed = true;
    await expect(replaySpool(findSpools(runDir)[0] as never, backend, 2)).rejects.toThrow(/killed/);
    expect(got).toEqual([0, 1, 2, 3, 4]);

    dying.armed = false;
    const [again] = findSpools(runDir);
    expect(again?.segments).toHaveLength(1);
    const done = await replaySpool(again as never, backend, 2);
    expect(done.points).toBe(0);
    expect(got).toEqual([0, 1, 2, 3, 4]);
    expect(findSpools(runDir)).toEqual([]);
  });
});
