import { statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { JsonlBackend } from "../../src/backends/jsonl/jsonl-backend.js";
import { columnsOf } from "../../src/core/data/metric-columns.js";
import { startExperiment } from "../../src/index.js";
import { pluginContext } from "../helpers/plugin-context.js";
import { tempDir } from "../helpers/temp-dir.js";

const io = vi.hoisted(() => ({
  failDatasync: false,
  failNext: false,
  /** The file's size when each fdatasync that succeeded was called: what it made durable. */
  covers: [] as number[],
  datasyncs: 0,
  finished: 0,
  errors: [] as string[],
  delayMs: 0,
  closed: [] as number[],
  written: [] as string[],
  renamed: [] as string[],
}));

vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs")>();
  const fdatasync = ((fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
    io.datasyncs++;
    const size = fs.fstatSync(fd).size;
    const done = (err: NodeJS.ErrnoException | null) => {
      io.finished++;
      if (err) io.errors.push(String(err.code));
      else io.covers.push(size);
      cb(err);
    };
    if (io.failNext) {
      io.failNext = false;
      io.covers.length = 0;
      done(Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" }));
    } else if (io.failDatasync) done(Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" }));
    else setTimeout(() => fs.fdatasync(fd, done), io.delayMs);
  }) as typeof fs.fdatasync;
  const closeSync = (fd: number) => {
    io.closed.push(fd);
    fs.closeSync(fd);
  };
  // run.json and summary.json are written synchronously (params.json through fs/promises).
  const writeFileSync = ((path: string, ...rest: unknown[]) => {
    io.written.push(basename(String(path)));
    return (fs.writeFileSync as (...a: unknown[]) => void)(path, ...rest);
  }) as typeof fs.writeFileSync;
  const renameSync = (from: string, to: string) => {
    io.renamed.push(basename(String(to)));
    return fs.renameSync(from, to);
  };
  const own = { fdatasync, closeSync, writeFileSync, renameSync };
  return { ...fs, default: { ...fs, ...own }, ...own };
});

vi.mock("node:fs/promises", async (importOriginal) => {
  const fsp = await importOriginal<typeof import("node:fs/promises")>();
  const writeFile = ((path: string, ...rest: unknown[]) => {
    io.written.push(basename(String(path)));
    return (fsp.writeFile as (...a: unknown[]) => Promise<void>)(path, ...rest);
  }) as typeof fsp.writeFile;
  const rename = (from: string, to: string) => {
    io.renamed.push(basename(String(to)));
    return fsp.rename(from, to);
  };
  return { ...fsp, default: { ...fsp, writeFile, rename }, writeFile, rename };
});

afterEach(() => {
  io.failDatasync = false;
  io.failNext = false;
  io.covers.length = 0;
  io.datasyncs = 0;
  io.finished = 0;
  io.errors.length = 0;
  io.delayMs = 0;
  io.closed.length = 0;
  io.written.length = 0;
  io.renamed.length = 0;
});

describe("the jsonl backend's durability", () => {
  it("writes params.json and run.json through a temporary file and a rename", async () => {
    const cwd = await tempDir();
    const exp = await startExperiment({ cwd, logLevel: "silent" });
    exp.logParams({ lr: 0.1 });
    exp.setTags({ a: "b" });
    await exp.stop();
    expect(io.written.filter((n) => n === "params.json" || n === "run.json")).toEqual([]);
    expect(io.renamed).toContain("params.json");
    expect(io.renamed).toContain("run.json");
    expect(JSON.parse(await readFile(join(exp.runDir, "params.json"), "utf8"))).toEqual({ lr: 0.1 });
    expect(JSON.parse(await readFile(join(exp.runDir, "run.json"), "utf8"))).toMatchObject({
      status: "finished",
      tags: { a: "b" },
    });
  });

  it("closes metrics.jsonl in stop() even when fdatasync fails", async () => {
    const cwd = await tempDir();
    const exp = await startExperiment({ cwd, logLevel: "silent" });
    exp.logMetric("m", 1, 0);
    await exp.flush();
    exp.logMetric("m", 2, 1);
    io.failDatasync = true;
    const report = await exp.stop();
    expect(report.failures).toContainEqual(expect.objectContaining({ plugin: "jsonl", hook: "stop" }));
    expect(io.closed.length).toBeGreaterThan(0);
    expect(exp.status().plugins.find((p) => p.name === "jsonl")?.own).toMatchObject({ connected: false });
  });

  it("fdatasyncs only when something was written since the last sync began", async () => {
    const cwd = await tempDir();
    const exp = await startExperiment({ cwd, logLevel: "silent" });
    await exp.flush();
    expect(io.datasyncs).toBe(0);
    exp.logMetric("m", 1, 0);
    await exp.flush();
    expect(io.datasyncs).toBe(1);
    await exp.flush();
    expect(io.datasyncs).toBe(1);
    exp.logMetric("m", 2, 1);
    await exp.stop();
    expect(io.datasyncs).toBe(2);
    const lines = (await readFile(join(exp.runDir, "metrics.jsonl"), "utf8")).trim().split("\n");
    expect(lines.map((l) => JSON.parse(l).value)).toEqual([1, 2]);
  });

  it("syncs again after a failed fdatasync", async () => {
    const cwd = await tempDir();
    const exp = await startExperiment({ cwd, logLevel: "silent" });
    exp.logMetric("m", 1, 0);
    io.failDatasync = true;
    await expect(exp.flush()).resolves.toBeUndefined();
    io.failDatasync = false;
    const before = io.datasyncs;
    await exp.stop();
    expect(io.datasyncs).toBeGreaterThan(before);
  });

  it("resolves a flush with nothing new only once the sync another flush started has finished", async () => {
    const cwd = await tempDir();
    const exp = await startExperiment({ cwd, logLevel: "silent" });
    exp.logMetric("m", 1, 0);
    io.delayMs = 200;
    const first = exp.flush();
    await exp.flush();
    expect(io.datasyncs).toBe(1);
    expect(io.finished).toBe(1);
    await first;
    await exp.stop();
  });

  it("does not close metrics.jsonl under a sync still running when stop() is called", async () => {
    const cwd = await tempDir();
    const exp = await startExperiment({ cwd, logLevel: "silent" });
    exp.logMetric("m", 1, 0);
    io.delayMs = 200;
    const pending = exp.flush();
    const report = await exp.stop();
    await pending;
    expect(report.failures).toEqual([]);
    expect(io.finished).toBe(io.datasyncs);
    expect(io.errors).toEqual([]);
  });

  it("fdatasyncs in the thread pool every 4 MiB appended, and flush() and stop() wait for them", async () => {
    const cwd = await tempDir();
    const exp = await startExperiment({ cwd, logLevel: "silent" });
    io.delayMs = 20;
    // About 65 bytes a line: 200,000 points are some 13 MB.
    for (let i = 0; i < 200_000; i++) exp.logMetric("m", i + 0.5, i);
    await exp.flush();
    // Three or more in the background while the batches were appended, then the flush's own.
    expect(io.datasyncs).toBeGreaterThanOrEqual(4);
    expect(io.finished).toBe(io.datasyncs);
    const report = await exp.stop();
    expect(report.failures).toEqual([]);
    const lines = (await readFile(join(exp.runDir, "metrics.jsonl"), "utf8")).trim().split("\n");
    expect(lines).toHaveLength(200_000);
    expect(JSON.parse(lines[199_999] as string)).toMatchObject({ step: 199_999, value: 199_999.5 });
  });

  it("reports a failed background fdatasync at the next flush, even when the flush's own succeeds", async () => {
    const cwd = await tempDir();
    const exp = await startExperiment({ cwd, logLevel: "silent" });
    io.failNext = true;
    for (let i = 0; i < 100_000; i++) exp.logMetric("m", i, i);
    await exp.flush();
    expect(io.errors).toEqual(["EIO"]);
    const report = await exp.stop();
    expect(report.failures).toContainEqual(expect.objectContaining({ plugin: "jsonl", hook: "flush" }));
    const lines = (await readFile(join(exp.runDir, "metrics.jsonl"), "utf8")).trim().split("\n");
    expect(lines).toHaveLength(100_000);
  });

  it("a flush makes durable what was appended before it, also when background fdatasyncs start and end around it", async () => {
    const runDir = join(await tempDir(), "run");
    const backend = new JsonlBackend();
    await backend.initialize({}, pluginContext(runDir));
    backend.start();
    const points = (from: number, n: number) =>
      columnsOf(
        Array.from({ length: n }, (_, i) => ({ name: "m", value: from + i, step: from + i, timestamp: from + i })),
      );
    io.delayMs = 30;
    // Past 4 MiB: a background fdatasync starts (and is still running when the flush comes).
    await backend.logMetricColumns(points(0, 80_000));
    expect(io.datasyncs).toBe(1);
    await backend.logMetricColumns(points(80_000, 10));
    const before = statSync(join(runDir, "metrics.jsonl")).size;
    const flushed = backend.flush();
    // While the flush waits, 4 MiB more start another background fdatasync, not waited for.
    await backend.logMetricColumns(points(80_010, 80_000));
    await flushed;
    expect(Math.max(...io.covers)).toBeGreaterThanOrEqual(before);
    await backend.stop();
    expect(io.finished).toBe(io.datasyncs);
  });
});
