import { randomBytes } from "node:crypto";
import { open } from "node:fs/promises";
import { createServer, type Server, connect } from "node:net";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import type { SystemCollectorConfig } from "../../../src/collectors/system/metadata.js";
import { SystemCollector } from "../../../src/collectors/system/system-collector.js";
import { tempDir } from "../../helpers/temp-dir.js";
import { testContext } from "../helpers/context.js";

const linux = process.platform === "linux";
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

  it("sees CPU utilization rise while a worker thread spins", async () => {
    const c = await collector();
    const idle = await around(c, () => pause(300));
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(
      "const { workerData: f } = require('node:worker_threads'); while (Atomics.load(f, 0) === 0) {}",
      { eval: true, workerData: flag },
    );
    await new Promise((resolve) => worker.once("online", resolve));
    const busy = await around(c, () => pause(300));
    Atomics.store(flag, 0, 1);
    await worker.terminate();
    await c.stop();
    const own = "system/process_cpu_utilization_percentage";
    // One spinning thread is one core: most of it shows in this process and in the machine total.
    expect(busy.values[own]).toBeGreaterThan(idle.values[own] + 50);
    expect(busy.values["system/cpu_utilization_percentage"]).toBeGreaterThan((100 / cpus().length) * 0.6);
  });

  it("sees disk write bytes rise while a 50 MB file is written and fsynced", async () => {
    const c = await collector();
    const file = join(await tempDir(), "big.bin");
    const size = 50 * 1024 * 1024;
    const { values, seconds } = await around(c, async () => {
      const handle = await open(file, "w");
      const chunk = randomBytes(1024 * 1024);
      for (let written = 0; written < size; written += chunk.length) await handle.write(chunk);
      await handle.sync();
      await handle.close();
    });
    await c.stop();
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
    expect(v["system/process_tree_memory_rss_megabytes"]).toBeGreaterThanOrEqual(v["system/process_memory_rss_megabytes"]);
    expect(v["system/process_tree_threads"]).toBeGreaterThanOrEqual(v["system/process_threads"]);
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
