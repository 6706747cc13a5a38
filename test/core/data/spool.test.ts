import { readdirSync, readFileSync } from "node:fs";
import { appendFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { MetricChunk } from "../../../src/core/data/metric-chunk.js";
import { findSpools, replaySpool } from "../../../src/core/data/replay-spool.js";
import { Spool } from "../../../src/core/data/spool.js";
import { listSegments, readSegmentPoints, segmentName } from "../../../src/core/data/spool-files.js";
import type { MetricRecord, RunIdentity } from "../../../src/index.js";
import { readSegment } from "../../helpers/read-segment.js";
import { tempDir } from "../../helpers/temp-dir.js";

const run = { runId: "r", project: "p", runDir: "/x" } as RunIdentity;
const batch = (from: number, n: number): MetricRecord[] =>
  Array.from({ length: n }, (_, i) => ({ name: "m", value: from + i, step: from + i, timestamp: 0 }));

describe("Spool", () => {
  it("appends batches to segments named by sequence, rolls segments, and reads them back in order", async () => {
    const runDir = await tempDir();
    const dir = join(runDir, "spool", "b");
    const config = { url: "u", token: "secret!", auth: { pass: "p", user: "x" } };
    const spool = new Spool(dir, { plugin: "b", config, secretPaths: ["auth.pass"], run }, 1_795_000_000_000);
    let seg: ReturnType<Spool["append"]> | undefined;
    // Chunks of one run share its name table, as the hot path makes them.
    const names: string[] = [];
    for (let s = 1; s <= 20; s++) seg = spool.append(seg, MetricChunk.fromRecords(batch((s - 1) * 10, 10), s, names));
    spool.seal(seg!);
    const files = listSegments(dir);
    expect(files.map((f) => basename(f))).toEqual([
      segmentName(1_795_000_000_000, 1),
      segmentName(1_795_000_000_000, 17),
    ]);
    const points = (await Promise.all(files.map(readSegment))).flat();
    expect(points.map((p) => p.step)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    const meta = JSON.parse(readFileSync(join(dir, "backend.json"), "utf8"));
    expect(meta.config).toEqual({ url: "u", auth: { user: "x" } });
    expect(meta.secretPaths).toBeUndefined();
  });

  it("replays into a backend, skipping a torn last line, and removes what it delivered", async () => {
    const runDir = await tempDir();
    const dir = join(runDir, "spool", "b");
    const spool = new Spool(dir, { plugin: "b", config: {}, run });
    const seg = spool.append(undefined, MetricChunk.fromRecords(batch(0, 5), 1));
    spool.seal(seg);
    await appendFile(seg.path, '{"name":"m","val');
    const [found] = findSpools(runDir);
    expect(found.meta?.plugin).toBe("b");
    const got: MetricRecord[] = [];
    const done = await replaySpool(found, { logMetric: () => {}, logMetrics: (b) => void got.push(...b) }, 2);
    expect(done).toEqual({ points: 5, segments: 1 });
    expect(got.map((p) => p.step)).toEqual([0, 1, 2, 3, 4]);
    expect(findSpools(runDir)).toEqual([]);
  });

  it("orders a resumed run's segments after the earlier process's ones", async () => {
    const dir = join(await tempDir(), "spool", "b");
    const earlier = new Spool(dir, { plugin: "b", config: {}, run }, 1000);
    const later = new Spool(dir, { plugin: "b", config: {}, run }, 2000);
    later.seal(later.append(undefined, MetricChunk.fromRecords(batch(100, 1), 1)));
    earlier.seal(earlier.append(undefined, MetricChunk.fromRecords(batch(0, 1), 5)));
    const points = (await Promise.all(listSegments(dir).map(readSegment))).flat();
    expect(points.map((p) => p.step)).toEqual([0, 100]);
  });

  it("fsyncs segments rolled by a loop that never yields in the background, with a bounded number of descriptors held", async () => {
    const dir = join(await tempDir(), "spool", "b");
    const spool = new Spool(dir, { plugin: "b", config: {}, run });
    const openFds = () => readdirSync("/proc/self/fd").length;
    const before = openFds();
    const names: string[] = [];
    let seg: ReturnType<Spool["append"]> | undefined;
    // 100 segments of 16 batches, with no turn of the event loop for a callback to close any.
    for (let s = 1; s <= 1600; s++) seg = spool.append(seg, MetricChunk.fromRecords(batch((s - 1) * 2, 2), s, names));
    const during = openFds() - before;
    expect(during).toBeGreaterThan(1);
    expect(during).toBeLessThanOrEqual(34);
    spool.seal(seg!);
    spool.syncPending();
    await expect.poll(() => openFds() - before, { timeout: 5000 }).toBeLessThanOrEqual(0);
    const files = listSegments(dir);
    expect(files).toHaveLength(100);
    const points = (await Promise.all(files.map(readSegment))).flat();
    expect(points.map((p) => p.step)).toEqual(Array.from({ length: 3200 }, (_, i) => i));
  });

  it("hands a segment that starts after the run's first names a name table without holes", async () => {
    const dir = join(await tempDir(), "spool", "b");
    const spool = new Spool(dir, { plugin: "b", config: {}, run });
    const names: string[] = [];
    const point = (name: string, step: number): MetricRecord => ({ name, value: step, step, timestamp: 7 });
    spool.seal(spool.append(undefined, MetricChunk.fromRecords([point("a", 0), point("b", 1)], 1, names)));
    spool.seal(
      spool.append(undefined, MetricChunk.fromRecords([point("c", 2), point("b", 3), point("c", 4)], 2, names)),
    );
    const second = await readSegmentPoints(listSegments(dir)[1] as string);
    const columns = second.columns(0, second.length);
    expect(columns.names).toHaveLength(2);
    expect([...columns.names].every((n) => typeof n === "string")).toBe(true);
    expect(Array.from(columns.ids, (id) => columns.names[id])).toEqual(["c", "b", "c"]);
    expect(second.slice(0, second.length).map((p) => p.name)).toEqual(["c", "b", "c"]);
  });

  it("defines each name in a segment when it first appears, also after every earlier name was defined", async () => {
    const dir = join(await tempDir(), "spool", "b");
    const spool = new Spool(dir, { plugin: "b", config: {}, run });
    const names: string[] = [];
    const point = (name: string, step: number): MetricRecord => ({ name, value: step, step, timestamp: 7 });
    const blocks = [["a", "b"], ["b", "a"], ["a", "c"], ["c"], ["a"], ["d", "a"]];
    let seg: ReturnType<Spool["append"]> | undefined;
    let step = 0;
    for (const [k, block] of blocks.entries()) {
      // A name the run logs elsewhere (another chunk, not in this segment) grows the table too.
      if (k === 4) MetricChunk.fromRecords([point("elsewhere", -1)], 0, names);
      seg = spool.append(
        seg,
        MetricChunk.fromRecords(
          block.map((n) => point(n, step++)),
          k + 1,
          names,
        ),
      );
    }
    spool.seal(seg!);
    expect(listSegments(dir)).toHaveLength(1);
    const points = await readSegment(listSegments(dir)[0] as string);
    expect(points.map((p) => `${p.name}${p.step}`)).toEqual(blocks.flat().map((n, i) => `${n}${i}`));
  });
});
