// One benchmark child: samples at 1 Hz for BENCH_SECONDS with one sampler, then prints a JSON
// line with its CPU time (own threads, and reaped child processes such as the shells and
// nvidia-smi that systeminformation spawns) and, in "delay" mode, event-loop delay percentiles.
// Usage: node sampler.mjs <ours|naive|idle|engine|pool|sync|before> <cpu|delay> <seconds> [warm-up seconds]
import { mkdtempSync, openSync, read, readFileSync, readSync, rmSync, statfsSync } from "node:fs";
import { statfs } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { pino } from "pino";
import { internalsPath } from "../internal.mjs";

const [kind, measure, secondsArg, warmupArg] = process.argv.slice(2);
const seconds = Number(secondsArg) || 60;
const warmupSeconds = Number(warmupArg ?? 20);
const dist = new URL("../../dist/", import.meta.url);

function childTicks() {
  // /proc/self/stat fields 16 and 17: CPU time of children this process has waited for.
  if (process.platform !== "linux") return 0;
  const text = readFileSync("/proc/self/stat", "latin1");
  const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return Number(f[13]) + Number(f[14]);
}

async function setup() {
  if (kind === "idle") return { sample: async () => {}, close: async () => {} };
  if (kind === "ours") {
    // Bundled by run.mjs before the children start (the class is internal to dist/'s bundle).
    const { SystemCollector } = await import(pathToFileURL(internalsPath("collector")).href);
    const c = new SystemCollector();
    const run = {
      project: "bench",
      name: "bench",
      runId: "r",
      role: "main",
      workerId: 0,
      workerCount: 1,
      tags: {},
      runDir: "/tmp",
    };
    c.initialize(
      { intervalMs: 1000, diskPaths: ["/"] },
      { name: "system", logger: pino({ level: "silent" }), signal: new AbortController().signal, run },
    );
    await c.start();
    // As a run does: the static inventory is read once at start, outside the sampling window.
    await c.params();
    return { sample: () => c.collect(), close: () => c.stop() };
  }
  if (kind === "pool" || kind === "sync") {
    // The reads the collector makes on every sample (five /proc files kept open, one statfs),
    // through libuv's thread pool or synchronously: what each way costs, nothing else.
    const paths = ["/proc/stat", "/proc/meminfo", "/proc/diskstats", "/proc/net/dev", `/proc/${process.pid}/stat`];
    const fds = paths.map((p) => openSync(p, "r"));
    const buffers = paths.map(() => Buffer.allocUnsafe(16384));
    const text = (i, n) => buffers[i].toString("latin1", 0, n);
    const viaPool = (i) =>
      new Promise((resolve, reject) =>
        read(fds[i], buffers[i], 0, buffers[i].length, 0, (e, n) => (e ? reject(e) : resolve(text(i, n)))),
      );
    const sample =
      kind === "pool"
        ? () => Promise.all([...paths.map((_, i) => viaPool(i)), statfs("/")])
        : async () => [
            ...paths.map((_, i) => text(i, readSync(fds[i], buffers[i], 0, buffers[i].length, 0))),
            statfsSync("/"),
          ];
    await sample();
    return { sample, close: async () => {} };
  }
  if (kind === "naive") {
    const si = (await import("systeminformation")).default;
    const sample = () =>
      Promise.all([
        si.currentLoad(),
        si.mem(),
        si.fsSize(),
        si.disksIO(),
        si.fsStats(),
        si.networkStats(),
        si.graphics(),
      ]);
    await sample();
    return { sample, close: async () => {} };
  }
  if (kind === "engine" || kind === "before") {
    // A whole run as a user starts one: the default backend (jsonl, writing metrics.jsonl under
    // a temporary directory) and the system collector at 1 Hz, driven by the run's scheduler.
    const from = kind === "before" ? pathToFileURL(`${process.env.BENCH_BEFORE_DIST}/`) : dist;
    const { startExperiment } = await import(new URL("index.js", from));
    const dir = mkdtempSync(join(tmpdir(), "tracelet-bench-collector-"));
    const exp = await startExperiment({
      cwd: dir,
      dir,
      logLevel: "warn",
      collectors: ["system"],
      plugins: { system: { intervalMs: 1000, diskPaths: ["/"] } },
    });
    const close = async () => {
      await exp.stop();
      rmSync(dir, { recursive: true, force: true });
    };
    return { sample: async () => {}, close, scheduled: true };
  }
  throw new Error(`unknown sampler ${kind}`);
}

const sampler = await setup();
const RESOLUTION_MS = 1;
const histogram = measure === "delay" ? monitorEventLoopDelay({ resolution: RESOLUTION_MS }) : undefined;

// A 1 ms probe that splits each late tick into lateness during which the main thread itself was
// on the CPU (its own work held the loop: /proc/thread-self/schedstat, in ns) and lateness it
// was not (the OS ran something else). Only the first is the sampler's doing.
const probe = { maxCpuStallMs: 0, maxLateMs: 0, running: false, stalls: [] };
// Garbage collection pauses are V8's, in every Node process (the idle one too): they are
// recorded so that the stall attributable to the sampler's own code can exclude them.
const gcPauses = [];
const gcObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcPauses.push({ from: e.startTime, to: e.startTime + e.duration });
});
gcObserver.observe({ entryTypes: ["gc"] });
function ownCodeStallMs() {
  let most = 0;
  for (const t of probe.stalls) {
    let gc = 0;
    for (const p of gcPauses) gc += Math.max(0, Math.min(t.to, p.to) - Math.max(t.from, p.from));
    most = Math.max(most, t.stall - gc);
  }
  return Math.max(0, most);
}
const schedFd = process.platform === "linux" ? openSync("/proc/thread-self/schedstat", "r") : -1;
const schedBuf = Buffer.alloc(128);
function mainThreadMs() {
  if (schedFd < 0) return process.cpuUsage().user / 1000;
  const n = readSync(schedFd, schedBuf, 0, schedBuf.length, 0);
  return Number(schedBuf.toString("latin1", 0, n).split(" ")[0]) / 1e6;
}
function startProbe() {
  probe.running = true;
  let last = performance.now();
  let lastCpu = mainThreadMs();
  const step = () => {
    if (!probe.running) return;
    const now = performance.now();
    const cpu = mainThreadMs();
    const late = Math.max(0, now - last - RESOLUTION_MS);
    const cpuMs = cpu - lastCpu;
    probe.maxLateMs = Math.max(probe.maxLateMs, late);
    const stall = Math.min(late, cpuMs);
    probe.maxCpuStallMs = Math.max(probe.maxCpuStallMs, stall);
    if (stall > 0.5) probe.stalls.push({ from: last, to: now, stall });
    last = now;
    lastCpu = cpu;
    setTimeout(step, RESOLUTION_MS);
  };
  setTimeout(step, RESOLUTION_MS);
}
// Let start-up work settle before measuring: module compilation, and the garbage collections
// V8's memory reducer runs in the seconds after a process's start-up allocations (up to three
// full collections of the whole heap, 10–20 ms each on a loaded library, about 8 s after
// start). They are a cost of starting the process, paid once, not of sampling.
await new Promise((r) => setTimeout(r, warmupSeconds * 1000));
globalThis.gc?.();
await new Promise((r) => setTimeout(r, 500));
histogram?.enable();
if (measure === "delay") startProbe();
const cpu0 = process.cpuUsage();
const children0 = childTicks();
const t0 = performance.now();
let samples = 0;
let tick = 0;
let inSampleMs = 0;
await new Promise((resolve) => {
  const next = () => {
    tick++;
    if (tick > seconds) return resolve();
    setTimeout(
      async () => {
        if (!sampler.scheduled) {
          const before = process.cpuUsage();
          await sampler.sample();
          const d = process.cpuUsage(before);
          inSampleMs += (d.user + d.system) / 1000;
        }
        samples++;
        next();
      },
      Math.max(0, t0 + tick * 1000 - performance.now()),
    );
  };
  next();
});
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const childrenMs = (childTicks() - children0) * 10;
histogram?.disable();
probe.running = false;
await sampler.close();
const ownMs = (cpu.user + cpu.system) / 1000;
process.stdout.write(
  `${JSON.stringify({
    kind,
    measure,
    samples: sampler.scheduled ? Math.round(wallMs / 1000) : samples,
    wallMs,
    ownCpuMs: ownMs,
    inSampleCpuMs: sampler.scheduled ? undefined : inSampleMs,
    childCpuMs: childrenMs,
    ownPercent: (ownMs / wallMs) * 100,
    totalPercent: ((ownMs + childrenMs) / wallMs) * 100,
    // The histogram records the time between its ticks; lateness is that minus the resolution.
    maxDelayMs: histogram ? Math.max(0, histogram.max / 1e6 - RESOLUTION_MS) : undefined,
    p99DelayMs: histogram ? Math.max(0, histogram.percentile(99) / 1e6 - RESOLUTION_MS) : undefined,
    maxCpuStallMs: measure === "delay" ? probe.maxCpuStallMs : undefined,
    maxOwnCodeStallMs: measure === "delay" ? ownCodeStallMs() : undefined,
    maxGcPauseMs: measure === "delay" ? Math.max(0, ...gcPauses.map((p) => p.to - p.from)) : undefined,
  })}\n`,
);
process.exit(0);
