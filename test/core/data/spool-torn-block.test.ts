import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MetricChunk } from "../../../src/core/data/metric-chunk.js";
import { Spool } from "../../../src/core/data/spool.js";
import { listSegments } from "../../../src/core/data/spool-files.js";
import type { MetricRecord, RunIdentity } from "../../../src/index.js";
import { readSegment } from "../../helpers/read-segment.js";
import { tempDir } from "../../helpers/temp-dir.js";

// The disk takes the first part of a block (its header), then refuses the rest (ENOSPC).
const faults = vi.hoisted(() => ({ tear: false }));
vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs")>();
  const writevSync = ((fd: number, buffers: readonly NodeJS.ArrayBufferView[], position?: number) => {
    if (!faults.tear) return fs.writevSync(fd, buffers, position);
    faults.tear = false;
    fs.writevSync(fd, buffers.slice(0, 1), position);
    throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
  }) as typeof fs.writevSync;
  return { ...fs, default: { ...fs, writevSync }, writevSync };
});

afterEach(() => {
  faults.tear = false;
});

const run = { runId: "r", project: "p", runDir: "/x" } as RunIdentity;
const batch = (from: number, n: number): MetricRecord[] =>
  Array.from({ length: n }, (_, i) => ({ name: "m", value: from + i, step: from + i, timestamp: 0 }));

describe("Spool: a block the disk took only part of", () => {
  it("is never followed by another block in its segment: the next batch starts a new one, and nothing after it is lost", async () => {
    const dir = join(await tempDir(), "spool", "b");
    const spool = new Spool(dir, { plugin: "b", config: {}, run });
    const names: string[] = [];
    const first = spool.append(undefined, MetricChunk.fromRecords(batch(0, 10), 1, names));
    faults.tear = true;
    expect(() => spool.append(first, MetricChunk.fromRecords(batch(10, 10), 2, names))).toThrow(
      expect.objectContaining({ code: "TRACELET_ERR_SPOOL_FAILED" }),
    );
    // The same batch again once the disk takes writes (what the queue does), then the next one.
    const next = spool.append(first, MetricChunk.fromRecords(batch(10, 10), 2, names));
    expect(next).not.toBe(first);
    spool.seal(spool.append(next, MetricChunk.fromRecords(batch(20, 10), 3, names)));
    const points = (await Promise.all(listSegments(dir).map(readSegment))).flat();
    expect(points.map((p) => p.step)).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it("leaves no file behind when it was the first block of a segment", async () => {
    const dir = join(await tempDir(), "spool", "b");
    const spool = new Spool(dir, { plugin: "b", config: {}, run });
    const names: string[] = [];
    faults.tear = true;
    expect(() => spool.append(undefined, MetricChunk.fromRecords(batch(0, 10), 1, names))).toThrow(
      expect.objectContaining({ code: "TRACELET_ERR_SPOOL_FAILED" }),
    );
    expect(listSegments(dir)).toEqual([]);
    // A retry of the same batch (same sequence number, same file name) starts clean.
    spool.seal(spool.append(undefined, MetricChunk.fromRecords(batch(0, 10), 1, names)));
    const points = (await Promise.all(listSegments(dir).map(readSegment))).flat();
    expect(points.map((p) => p.step)).toEqual(Array.from({ length: 10 }, (_, i) => i));
  });
});
