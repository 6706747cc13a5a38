import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { NvidiaSmiProcess } from "../../../src/collectors/system/gpu/nvidia-smi-process.js";
import type { SystemCollectorConfig } from "../../../src/collectors/system/metadata.js";
import { SystemCollector } from "../../../src/collectors/system/system-collector.js";
import { tempDir } from "../../helpers/temp-dir.js";
import { alive, testContext } from "../helpers/context.js";

/** Process start-up and sampling take longer on a loaded machine: wait generously. */
const WAIT = { timeout: 15_000, interval: 20 };

const fakeDir = join(import.meta.dirname, "../../fixtures/collectors/nvidia-smi");
const savedEnv = { ...process.env };
let log = "";
const starts = () =>
  readFileSync(log, "utf8")
    .split("\n")
    .filter((l) => l.startsWith("start "));
const stops = () =>
  readFileSync(log, "utf8")
    .split("\n")
    .filter((l) => l.startsWith("stop "));

async function collector(config: SystemCollectorConfig = {}): Promise<SystemCollector> {
  const c = new SystemCollector();
  c.initialize({ intervalMs: 100, diskPaths: [], ...config }, testContext("system"));
  await c.start();
  return c;
}

const gpuMetrics = (values: Record<string, number>) => Object.keys(values).filter((k) => k.startsWith("system/gpu_"));

beforeEach(async () => {
  log = join(await tempDir(), "nvidia-smi.log");
  process.env.PATH = `${fakeDir}:${savedEnv.PATH}`;
  process.env.FAKE_NVIDIA_SMI_LOG = log;
});

afterEach(() => {
  process.env = { ...savedEnv };
});

describe("the nvidia-smi child (a fake nvidia-smi on PATH)", () => {
  it("is started once, parsed as lines arrive, and killed at stop", async () => {
    const c = await collector();
    await vi.waitFor(async () => expect(gpuMetrics(await c.collect()).length).toBeGreaterThan(0), WAIT);
    const values = await c.collect();
    expect(values["system/gpu_3_memory_used_megabytes"]).toBe(1024);
    expect(values["system/gpu_1_utilization_percentage"]).toBe(0);
    await c.collect();
    expect(starts()).toHaveLength(1);
    expect(starts()[0]).toContain("--format=csv,noheader,nounits -lms 100");
    const [pid] = c.getChildPids();
    expect(pid).toBeGreaterThan(0);
    expect(alive(pid)).toBe(true);
    expect(c.getExecutionMode()).toBe("subprocess");
    expect(c.getManagedResources()).toMatchObject({ "nvidia-smi": { state: "running", pid, starts: 1 } });
    await c.stop();
    expect(stops()).toEqual([`stop ${pid}`]);
    expect(alive(pid)).toBe(false);
    expect(c.getChildPids()).toEqual([]);
  });

  it("lists the GPUs in the params logged at start", async () => {
    const c = await collector();
    const params = (await c.params()) as { system: { gpu_count: number; gpus: Array<{ name: string }> } };
    expect(params.system.gpu_count).toBe(4);
    expect(params.system.gpus[0]).toMatchObject({ index: 0, name: "NVIDIA H100 80GB HBM3" });
    await c.stop();
  });

  it("is restarted with backoff after it crashes, and parsing resumes", async () => {
    process.env.FAKE_NVIDIA_SMI_CRASH_AFTER = "2";
    const c = await collector();
    await vi.waitFor(() => expect(readFileSync(log, "utf8")).toContain("crash "), { timeout: 10_000 });
    await vi.waitFor(() => expect(starts()).toHaveLength(2), { timeout: 10_000 });
    await vi.waitFor(async () => expect(gpuMetrics(await c.collect()).length).toBeGreaterThan(0), WAIT);
    const [pid] = c.getChildPids();
    expect(starts()[1]).toContain(`start ${pid}`);
    await c.stop();
    expect(alive(pid)).toBe(false);
  });

  it("is killed synchronously by forceCleanup (process exit without stop)", async () => {
    const c = await collector();
    await vi.waitFor(() => expect(c.getChildPids()).toHaveLength(1), WAIT);
    const [pid] = c.getChildPids();
    c.forceCleanup();
    await vi.waitFor(() => expect(alive(pid)).toBe(false), WAIT);
    // A killed child is a zombie (counted dead) until Node reaps it and sees the exit.
    await vi.waitFor(() => expect(c.getChildPids()).toEqual([]), WAIT);
    await c.stop();
  });

  it("without nvidia-smi: no GPU metrics, no error, nothing to clean up", async () => {
    process.env.PATH = savedEnv.PATH;
    const c = await collector({ nvidiaSmiPath: join(fakeDir, "does-not-exist") });
    const values = await c.collect();
    expect(gpuMetrics(values)).toEqual([]);
    expect(values["system/memory_total_megabytes"]).toBeGreaterThan(0);
    expect(c.getChildPids()).toEqual([]);
    expect(c.getExecutionMode()).toBe("in-process");
    await vi.waitFor(() => expect(c.getManagedResources()).toMatchObject({ "nvidia-smi": { state: "absent" } }), WAIT);
    expect(((await c.params()) as { system: { gpu_count: number } }).system.gpu_count).toBe(0);
    await c.stop();
  });

  it("a bare command missing from PATH is absent at once, as spawn's ENOENT would say", async () => {
    const gpu = new NvidiaSmiProcess({
      command: "tracelet-test-no-such-nvidia-smi",
      intervalMs: 100,
      logger: testContext("system").logger,
    });
    gpu.start();
    expect(gpu.state).toBe("absent");
    expect(gpu.starts).toBe(1);
    expect(gpu.pid).toBeUndefined();
    expect(gpu.lastProblem).toBe("spawn tracelet-test-no-such-nvidia-smi ENOENT");
    await gpu.settled;
    await gpu.stop();
  });

  it("with nvidia-smi but no GPU ('No devices were found'): gives up after a few tries", async () => {
    process.env.FAKE_NVIDIA_SMI_NO_DEVICES = "1";
    const gpu = new NvidiaSmiProcess({
      command: "nvidia-smi",
      intervalMs: 100,
      logger: testContext("system").logger,
      restartDelayMs: 10,
      maxFailedStarts: 3,
    });
    gpu.start();
    await vi.waitFor(() => expect(gpu.state).toBe("gave-up"), { timeout: 10_000 });
    expect(gpu.starts).toBe(3);
    expect(gpu.gpus.size).toBe(0);
    expect(gpu.pid).toBeUndefined();
    await gpu.settled;
    await gpu.stop();
  });

  it("kills a child that hangs silently and restarts it, giving up if it never reports", async () => {
    process.env.FAKE_NVIDIA_SMI_HANG = "1";
    const gpu = new NvidiaSmiProcess({
      command: "nvidia-smi",
      intervalMs: 100,
      logger: testContext("system").logger,
      restartDelayMs: 10,
      maxFailedStarts: 2,
      silentAfterMs: 1000,
    });
    const pids = new Set<number>();
    const watch = setInterval(() => gpu.pid !== undefined && pids.add(gpu.pid), 5);
    gpu.start();
    await vi.waitFor(() => expect(gpu.state).toBe("gave-up"), { timeout: 20_000 });
    clearInterval(watch);
    expect(gpu.starts).toBe(2);
    expect(pids.size).toBe(2);
    for (const pid of pids) await vi.waitFor(() => expect(alive(pid)).toBe(false), WAIT);
    expect(gpu.lastProblem).toContain("printed nothing");
    await gpu.stop();
  });

  it("with gpu: false never starts nvidia-smi", async () => {
    const c = await collector({ gpu: false });
    await c.collect();
    expect(c.getManagedResources()).toEqual({});
    await c.stop();
    expect(() => readFileSync(log, "utf8")).toThrow();
  });
});
