import { readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { EventFiles } from "../../../src/backends/tensorboard/event-file.js";
import { ScalarEncoder } from "../../../src/backends/tensorboard/events.js";
import { columnsOf } from "../../../src/core/data/metric-columns.js";
import { tempDir } from "../../helpers/temp-dir.js";
import { decodeRunFolder } from "./read-events.js";

// The thread-pool fdatasync, counted, and made to fail once on demand.
const spy = vi.hoisted(() => ({ calls: 0, failNext: false, delayMs: 0, errors: [] as string[] }));
vi.mock("node:fs", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs")>();
  const fdatasync = (fd: number, done: (error: NodeJS.ErrnoException | null) => void): void => {
    spy.calls++;
    if (spy.failNext) {
      spy.failNext = false;
      process.nextTick(done, Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" }));
      return;
    }
    const report = (error: NodeJS.ErrnoException | null): void => {
      if (error) spy.errors.push(String(error.code));
      done(error);
    };
    if (spy.delayMs > 0) setTimeout(() => real.fdatasync(fd, report), spy.delayMs);
    else real.fdatasync(fd, report);
  };
  return { ...real, fdatasync };
});

const encoder = new ScalarEncoder();
/** Framed events of steps `[from, from + n)`. */
const events = (from: number, n: number): Uint8Array =>
  encoder
    .encode(
      columnsOf(
        Array.from({ length: n }, (_, i) => ({
          name: "m",
          value: from + i,
          step: from + i,
          timestamp: 1.7e12 + from + i,
        })),
      ),
    )
    .slice();
const steps = (dir: string): number[] =>
  decodeRunFolder(dir).events.flatMap((e) => (e.summary ? [Number(e.step?.[0] ?? 0)] : [])) as number[];

describe("event files: fdatasyncs in the thread pool while writing goes on", () => {
  beforeEach(() => {
    spy.calls = 0;
    spy.failNext = false;
    spy.delayMs = 0;
    spy.errors.length = 0;
  });

  it("starts one every syncAheadBytes written, never two at once, and still syncs on close; rotation waits for it", async () => {
    const dir = join(await tempDir(), "run");
    const openFds = () => readdirSync("/proc/self/fd").length;
    const fdsBefore = openFds();
    const files = new EventFiles(dir, 4096, true, 1024);
    for (let b = 0; b < 40; b++) files.write(events(b * 30, 30));
    expect(spy.calls).toBeGreaterThan(0);
    // Written synchronously: at most one thread-pool fdatasync can have started meanwhile.
    expect(spy.calls).toBeLessThanOrEqual(1);
    await files.close();
    // The file rotated away while its thread-pool fdatasync ran was closed once that was done.
    expect(openFds()).toBe(fdsBefore);
    expect(steps(dir)).toEqual(Array.from({ length: 1200 }, (_, i) => i));
    expect(decodeRunFolder(dir).files.length).toBeGreaterThan(5);
  });

  it("a thread-pool fdatasync's failure is thrown by the next sync, once", async () => {
    const dir = join(await tempDir(), "run");
    const files = new EventFiles(dir, 1 << 20, true, 1024);
    spy.failNext = true;
    files.write(events(0, 40));
    await expect(files.sync()).rejects.toMatchObject({ code: "EIO" });
    files.write(events(40, 10));
    await files.sync();
    await files.close();
    expect(steps(dir)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it("starts none with fsync off", async () => {
    const dir = join(await tempDir(), "run");
    const files = new EventFiles(dir, 1 << 20, false, 1024);
    for (let b = 0; b < 10; b++) files.write(events(b * 30, 30));
    await files.close();
    expect(spy.calls).toBe(0);
    expect(steps(dir).length).toBe(300);
  });

  it("close() still fdatasyncs the file when a thread-pool fdatasync failed, then throws that failure", async () => {
    const dir = join(await tempDir(), "run");
    const files = new EventFiles(dir, 1 << 20, true, 1024);
    spy.failNext = true;
    files.write(events(0, 40));
    files.write(events(40, 10));
    await expect(files.close()).rejects.toMatchObject({ code: "EIO" });
    // The background one (failed) and close()'s own.
    expect(spy.calls).toBe(2);
    expect(steps(dir)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it("close() never closes the file under an fdatasync an earlier sync() started", async () => {
    const dir = join(await tempDir(), "run");
    const files = new EventFiles(dir, 1 << 20, true, 1 << 30);
    files.write(events(0, 10));
    spy.delayMs = 50;
    // A flush whose deadline passed: its sync() still runs when the backend is stopped.
    const late = files.sync();
    await files.close();
    await late;
    expect(spy.errors).toEqual([]);
    expect(spy.calls).toBe(1);
  });
});
