import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { findSpools, replaySpool } from "../../src/core/data/replay-spool.js";
import { createLogger } from "../../src/core/logger.js";
import { BackendPlugin, type MetricRecord, PluginManager } from "../../src/index.js";
import { withTestExperiment } from "../../src/testing/index.js";
import { tempDir } from "../helpers/temp-dir.js";

/** A real small tmpfs (CI runs as root), unmounted after the test. */
const mounts: string[] = [];
async function tmpfs(sizeMb: number): Promise<string> {
  const dir = await tempDir();
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${sizeMb}m`, "tmpfs", dir]);
  mounts.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of mounts.splice(0)) execFileSync("umount", ["-l", dir]);
});

class Remote extends BackendPlugin {
  static metadata = { name: "remote", type: "backend" as const };
  static last: Remote | undefined;
  static down = false;
  readonly points: MetricRecord[] = [];
  constructor() {
    super();
    Remote.last = this;
  }
  logMetric(): void {}
  override logMetrics(batch: MetricRecord[]): void {
    if (Remote.down) throw new Error("ECONNREFUSED");
    this.points.push(...batch);
  }
}

const steps = (points: MetricRecord[]) => points.map((p) => p.step);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("a disk that refuses the spool (issue 12 B2, core side)", () => {
  it("full mid-run: the spool writes that fail keep the points in memory, and all of them arrive once it frees", async () => {
    const disk = await tmpfs(16);
    Remote.down = true;
    const lines: string[] = [];
    const logger = createLogger({
      level: "info",
      format: "json",
      destination: new Writable({
        write(chunk, _enc, done) {
          lines.push(...String(chunk).split("\n").filter(Boolean));
          done();
        },
      }),
    });
    const exp = await withTestExperiment(
      {
        cwd: disk,
        dir: join(disk, "runs"),
        backends: ["remote"],
        batchSize: 1000,
        retry: { initialDelayMs: 5, maxDelayMs: 20 },
        logger,
        manager: new PluginManager({ cwd: disk, logger }),
      },
      [Remote],
    );
    for (let i = 0; i < 5000; i++) exp.logMetric("m", i, i);
    await vi.waitFor(() => expect(exp.status().delivery.remote.spooledPoints).toBe(5000));
    // Fill the disk to the last byte.
    try {
      execFileSync("dd", ["if=/dev/zero", `of=${join(disk, "filler")}`, "bs=1M", "count=32"], { stdio: "ignore" });
    } catch {
      // dd stops at ENOSPC, as meant.
    }
    for (let i = 5000; i < 60_000; i++) exp.logMetric("m", i, i);
    await vi.waitFor(() => expect(exp.status().delivery.remote.queuedPoints).toBeGreaterThan(0));
    rmSync(join(disk, "filler"));
    Remote.down = false;
    const report = await exp.stop();
    expect(steps(Remote.last!.points)).toEqual(range(60_000));
    expect(report.spooled).toEqual({});
    expect(report.sync).toEqual([]);
    // 55 batches refused by the full disk: one line for the outage, no stack trace.
    const refused = lines.filter((l) => l.includes("could not spool"));
    expect(refused).toHaveLength(1);
    expect(refused[0], refused[0]).toContain("ENOSPC");
    expect(lines.join("\n")).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });

  it("a read-only run directory: the spool goes under the OS temp dir, and the stop report says where and what to run", async () => {
    const disk = await tmpfs(4);
    const runs = join(disk, "runs");
    mkdirSync(runs);
    writeFileSync(join(disk, "marker"), "");
    execFileSync("mount", ["-o", "remount,ro", disk]);
    Remote.down = true;
    const exp = await withTestExperiment(
      {
        cwd: disk,
        dir: runs,
        backends: ["remote"],
        runId: `ro-${Date.now()}`,
        timeouts: { flush: 100, shutdown: 1000 },
      },
      [Remote],
    );
    for (let i = 0; i < 3000; i++) exp.logMetric("m", i, i);
    const report = await exp.stop();
    expect(report.spooled).toEqual({ remote: 3000 });
    const dir = report.spoolDirs.remote;
    expect(dir.startsWith(join(tmpdir(), "tracelet-spool"))).toBe(true);
    const root = join(dir, "..", "..");
    expect(report.sync).toEqual([`tracelet sync ${JSON.stringify(root)}`]);
    const [spool] = findSpools(root);
    const target = {
      points: [] as MetricRecord[],
      logMetric() {},
      logMetrics(b: MetricRecord[]) {
        this.points.push(...b);
      },
    };
    expect(await replaySpool(spool, target)).toMatchObject({ points: 3000 });
    expect(steps(target.points)).toEqual(range(3000));
    rmSync(root, { recursive: true, force: true });
  });
});
