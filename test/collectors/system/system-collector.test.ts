import { createHook } from "node:async_hooks";
import { randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import { mkdir, mkdtemp, open, rm } from "node:fs/promises";
import { connect, createServer, type Server } from "node:net";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { wholeDisks } from "../../../src/collectors/system/linux/disk-io.js";
import type { SystemCollectorConfig } from "../../../src/collectors/system/metadata.js";
import { SystemCollector } from "../../../src/collectors/system/system-collector.js";
import { testContext } from "../helpers/context.js";

const linux = process.platform === "linux";
// Disk I/O needs a whole disk in /sys/block (some sandboxes, e.g. gVisor, show none).
const hasDisk = linux && wholeDisks(readdirSync("/sys/block")).size > 0;
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function collector(config: SystemCollectorConfig = {}): Promise<SystemCollector> {
  const c = new SystemCollector();
  c.initialize({ gpu: false, ...config }, testContext("system"));
  await c.start();
  return c;
}

/** Collects around `work`; returns the values and an upper bound of the sampled interval in s. */
async function around(c: SystemCollector, work: () => Promise<void>) {
  const before = performance.now();
  await c.collect();
  await work();
  const values = await c.collect();
  return { values, seconds: (performance.now() - before) / 1000 };
}

describe.runIf(linux)("the system collector on this machine's real /proc", () => {
  it("reports values in plausible ranges", async () => {
    const c = await collector({ perCore: true, diskPaths: ["/", tmpdirPath()] });
    await pause(200);
    const v = await c.collect();
    const pct = Object.entries(v).filter(([k]) => k.endsWith("_percentage") && !k.includes("process_"));
    expect(pct.length).toBeGreaterThan(4);
    for (const [name, value] of pct) {
      expect(value, name).toBeGreaterThanOrEqual(0);
      expect(value, name).toBeLessThanOrEqual(100);
    }
    expect(Object.keys(v).filter((k) => /^system\/cpu_\d+_utilization/.test(k))).toHaveLength(cpus().length);
    const totalMb = totalmem() / 1024 / 1024;
    expect(v["system/memory_total_megabytes"]).toBeGreaterThan(0);
    expect(v["system/memory_total_megabytes"]).toBeLessThanOrEqual(totalMb + 1);
    expect(v["system/memory_used_megabytes"]).toBeLessThanOrEqual(v["system/memory_total_megabytes"]);
    expect(v["system/memory_available_megabytes"]).toBeGreaterThan(0);
    expect(v["system/swap_used_megabytes"]).toBeLessThanOrEqual(v["system/swap_total_megabytes"]);
    expect(v["system/load_average_1m"]).toBeGreaterThanOrEqual(0);
    expect(v["system/disk_total_megabytes"]).toBeGreaterThan(0);
    for (const k of ["disk_read", "disk_write", "network_receive", "network_transmit"])
      expect(v[`system/${k}_bytes_per_second`], k).toBeGreaterThanOrEqual(0);
    expect(v["system/process_memory_rss_megabytes"]).toBeGreaterThan(1);
    expect(v["system/process_memory_rss_megabytes"]).toBeLessThan(totalMb);
    expect(v["system/process_threads"]).toBeGreaterThanOrEqual(1);
    expect(v["system/process_cpu_utilization_percentage"]).toBeGreaterThanOrEqual(0);
    expect(c.getStatus()).toMatchObject({ sampler: "proc", gpu: "off" });
    await c.stop();
  });

  it("sees CPU utilization rise while a worker thread spins, by at least the CPU time it spun", async () => {
    const c = await collector();
    const idle = await around(c, () => pause(300));
    // The worker waits, spins while the flag is 1, and reports its own run time (schedstat, ns),
    // so the check holds however busy the machine is with other work.
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(
      `const { workerData: f, parentPort } = require("node:worker_threads");
       const ran = () => Number(require("node:fs").readFileSync("/proc/thread-self/schedstat", "latin1").split(" ")[0]);
       Atomics.wait(f, 0, 0);
       const start = ran();
       while (Atomics.load(f, 0) === 1) {}
       parentPort.postMessage((ran() - start) / 1e9);`,
      { eval: true, workerData: flag },
    );
    await new Promise((resolve) => worker.once("online", resolve));
    const spun = new Promise<number>((resolve) => worker.once("message", resolve));
    const busy = await around(c, async () => {
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      await pause(300);
      Atomics.store(flag, 0, 2);
    });
    const spunSeconds = await spun;
    await worker.terminate();
    await c.stop();
    const own = busy.values["system/process_cpu_utilization_percentage"];
    const machine = busy.values["system/cpu_utilization_percentage"];
    const tick = 0.02; // CPU times are counted in 10 ms jiffies
    expect(spunSeconds).toBeGreaterThan(0);
    expect((own / 100) * busy.seconds).toBeGreaterThanOrEqual(spunSeconds - tick);
    expect((machine / 100) * cpus().length * busy.seconds).toBeGreaterThanOrEqual(spunSeconds - tick);
    expect(own).toBeGreaterThan(idle.values["system/process_cpu_utilization_percentage"]);
  });

  it.runIf(hasDisk)("sees disk write bytes rise while a 50 MB file is written and fsynced", async () => {
    const c = await collector();
    // Under the project, not os.tmpdir(): /tmp may be a tmpfs, which no disk sees.
    await mkdir(join(process.cwd(), ".tmp"), { recursive: true });
    const dir = await mkdtemp(join(process.cwd(), ".tmp", "disk-"));
    const file = join(dir, "big.bin");
    const size = 50 * 1024 * 1024;
    const { values, seconds } = await around(c, async () => {
      const handle = await open(file, "w");
      const chunk = randomBytes(1024 * 1024);
      for (let written = 0; written < size; written += chunk.length) await handle.write(chunk);
      await handle.sync();
      await handle.close();
    });
    await c.stop();
    await rm(dir, { recursive: true, force: true });
    const rate = values["system/disk_write_bytes_per_second"];
    // rate × (an upper bound of the sampled interval) bounds the bytes counted from above.
    expect(rate * seconds).toBeGreaterThanOrEqual(size * 0.95);
  });

  it("sees network bytes rise under loopback traffic (lo enabled, as it is skipped by default)", async () => {
    const c = await collector({ includeLoopback: true, perInterface: true });
    const size = 8 * 1024 * 1024;
    const { values, seconds } = await around(c, () => sendOverLoopback(size));
    await c.stop();
    expect(values["system/network_receive_bytes_per_second"] * seconds).toBeGreaterThanOrEqual(size);
    expect(values["system/network_transmit_bytes_per_second"] * seconds).toBeGreaterThanOrEqual(size);
    expect(values["system/network_lo_receive_bytes_per_second"] * seconds).toBeGreaterThanOrEqual(size);

    const skipping = await collector();
    const quiet = await around(skipping, () => sendOverLoopback(size));
    await skipping.stop();
    expect(quiet.values["system/network_lo_receive_bytes_per_second"]).toBeUndefined();
  });

  it("reports the process tree on request", async () => {
    const c = await collector({ processTree: true });
    await c.collect();
    const v = await c.collect();
    await c.stop();
    expect(v["system/process_tree_count"]).toBeGreaterThanOrEqual(1);
    expect(v["system/process_tree_memory_rss_megabytes"]).toBeGreaterThanOrEqual(
      v["system/process_memory_rss_megabytes"],
    );
    expect(v["system/process_tree_threads"]).toBeGreaterThanOrEqual(v["system/process_threads"]);
  });

  it("samples without the thread pool: no fs request leaves the main thread (local file system)", async () => {
    // diskPaths on a local file system (statfs is synchronous there after the first reading).
    const c = await collector({ perCore: true, diskPaths: ["/"] });
    await c.collect();
    // CPU times advance in 10 ms jiffies: let a few pass, so that the rates have an interval.
    await pause(100);
    // Every request to the thread pool (callback or promise fs API) creates an async resource.
    const fsRequests: string[] = [];
    const hook = createHook({
      init: (_id, type) => {
        if (type.startsWith("FSREQ") || type === "STATWATCHER") fsRequests.push(type);
      },
    }).enable();
    const pending = c.collect();
    await pending.finally(() => hook.disable());
    expect(fsRequests).toEqual([]);
    const v = await pending;
    expect(v["system/cpu_utilization_percentage"]).toBeTypeOf("number");
    expect(v["system/disk_total_megabytes"]).toBeGreaterThan(0);
    expect(v["system/load_average_1m"]).toBeGreaterThanOrEqual(0);
    await c.stop();
  });

  it("has rates from the first collect on, because start primes the counters", async () => {
    const c = new SystemCollector();
    c.initialize({ gpu: false }, testContext("system"));
    await c.start();
    // CPU times advance in 10 ms jiffies: let a few pass.
    await pause(100);
    const v = await c.collect();
    await c.stop();
    expect(v["system/cpu_utilization_percentage"]).toBeTypeOf("number");
    expect(v["system/network_receive_bytes_per_second"]).toBeTypeOf("number");
  });
});

describe("the system collector's systeminformation path (used where there is no /proc)", () => {
  it("emits the same metric names", async () => {
    const c = await collector({ source: "systeminformation" });
    await pause(200);
    const v = await c.collect();
    await c.stop();
    expect(c.getStatus()).toMatchObject({ sampler: "systeminformation" });
    for (const name of [
      "system/cpu_utilization_percentage",
      "system/memory_used_megabytes",
      "system/memory_utilization_percentage",
      "system/load_average_1m",
      "system/disk_usage_percentage",
      "system/network_receive_bytes_per_second",
      "system/process_cpu_utilization_percentage",
      "system/process_memory_rss_megabytes",
    ])
      expect(v[name], name).toBeTypeOf("number");
    expect(v["system/memory_utilization_percentage"]).toBeLessThanOrEqual(100);
  });
});

function tmpdirPath(): string {
  return process.env.TMPDIR ?? "/tmp";
}

async function sendOverLoopback(bytes: number): Promise<void> {
  let received = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  const server: Server = createServer((socket) => {
    socket.on("data", (d) => {
      received += d.length;
      if (received >= bytes) done();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  const client = connect(port, "127.0.0.1");
  client.end(Buffer.alloc(bytes, 1));
  await finished;
  client.destroy();
  await new Promise((resolve) => server.close(resolve));
}
