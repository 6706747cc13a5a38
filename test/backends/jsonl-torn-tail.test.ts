// A write torn by the disk whose cut-back is refused too: the next append must not glue its
// lines onto the torn tail. The two refusals are injected (no file system refuses ftruncate on
// demand); everything else is the real file system.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { JsonlBackend } from "../../src/backends/jsonl/jsonl-backend.js";
import { isTraceletError, type MetricRecord } from "../../src/index.js";
import { pluginContext } from "../helpers/plugin-context.js";
import { tempDir } from "../helpers/temp-dir.js";

const faults = vi.hoisted(() => ({ tearWrite: false, refuseTruncate: false }));

vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs")>();
  // The disk takes half of the write, then refuses the rest (ENOSPC).
  const writeSync = ((fd: number, data: string | Uint8Array, ...rest: unknown[]) => {
    if (faults.tearWrite && typeof data === "string") {
      fs.writeSync(fd, data.slice(0, Math.floor(data.length / 2)));
      throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    }
    return (fs.writeSync as (...a: unknown[]) => number)(fd, data, ...rest);
  }) as typeof fs.writeSync;
  const ftruncateSync = ((fd: number, len?: number) => {
    if (faults.refuseTruncate) throw Object.assign(new Error("EIO: i/o error, ftruncate"), { code: "EIO" });
    return fs.ftruncateSync(fd, len);
  }) as typeof fs.ftruncateSync;
  return { ...fs, default: { ...fs, writeSync, ftruncateSync }, writeSync, ftruncateSync };
});

function points(from: number, count: number): MetricRecord[] {
  return Array.from({ length: count }, (_, i) => ({ name: "loss", value: from + i, step: from + i, timestamp: 1 }));
}

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("jsonl: a torn tail that cannot be cut off", () => {
  it("the next append is refused with TRACELET_ERR_WRITE_FAILED instead of gluing onto it; once the cut works, the batch lands whole", async () => {
    const runDir = join(await tempDir("tracelet-torn-"), "p", "r1");
    const backend = new JsonlBackend();
    await backend.initialize({}, pluginContext(runDir));
    backend.start();
    backend.logMetrics(points(0, 10));

    faults.tearWrite = true;
    faults.refuseTruncate = true;
    const first = thrownBy(() => backend.logMetrics(points(10, 10)));
    expect(isTraceletError(first) && first.code).toBe("TRACELET_ERR_WRITE_FAILED");

    // The disk takes writes again, but the torn half-batch still cannot be cut off.
    faults.tearWrite = false;
    const second = thrownBy(() => backend.logMetrics(points(10, 10)));
    expect(isTraceletError(second) && second.code).toBe("TRACELET_ERR_WRITE_FAILED");

    faults.refuseTruncate = false;
    backend.logMetrics(points(10, 10));
    await backend.stop();
    const lines = readFileSync(join(runDir, "metrics.jsonl"), "utf8").trimEnd().split("\n");
    expect(lines.map((l) => (JSON.parse(l) as MetricRecord).step)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});
