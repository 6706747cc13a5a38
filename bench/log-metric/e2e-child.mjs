// One end-to-end measurement in a fresh process: argv = variant, points, work dir, and "noyield"
// for a loop that never yields (one synchronous loop over every point, then flush). Prints
// points per second from the first record until the data is fsynced; with BENCH_DETAIL=1 a JSON
// object instead, which adds the minor page faults and the CPU time (all threads) of that window
// (tracelet and bare only).
import { closeSync, fsyncSync, mkdtempSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import pino from "pino";
import { startExperiment } from "../../dist/index.js";

const [variant, count, work, mode] = process.argv.slice(2);
const yields = mode !== "noyield";
const n = Number(count);
const NAMES = ["train/loss", "train/accuracy", "lr"];
// A loop that never yields logs all its points in one chunk.
const CHUNK = yields ? 10_000 : n;
const tick = () => new Promise((r) => setImmediate(r));
// What the measured window cost besides time: minor page faults and CPU time of every thread.
let detail = {};
function costs() {
  const faults = process.resourceUsage().minorPageFault;
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    detail = { faults: process.resourceUsage().minorPageFault - faults, cpuMs: (used.user + used.system) / 1000 };
  };
}

function record(i) {
  return { name: NAMES[i % 3], value: i * 0.5, step: i, timestamp: 1_795_000_000_000 + (i >> 10) };
}

async function tracelet() {
  const cwd = mkdtempSync(join(work, "e2e-"));
  const exp = await startExperiment({ cwd, backends: ["jsonl"], logLevel: "silent" });
  const measured = costs();
  const t = process.hrtime.bigint();
  for (let k = 0; k < n; k += CHUNK) {
    for (let i = k; i < k + CHUNK; i++) exp.logMetric(NAMES[i % 3], i * 0.5, i);
    await tick(); // a training step: the loop yields
  }
  await exp.flush(); // every backend accepted it and fsynced
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  measured();
  await exp.stop();
  return n / s;
}

async function withPino(options) {
  const dest = pino.destination({ dest: join(mkdtempSync(join(work, "pino-")), "log"), ...options });
  const logger = pino({ base: undefined, timestamp: false }, dest);
  const t = process.hrtime.bigint();
  for (let k = 0; k < n; k += CHUNK) {
    for (let i = k; i < k + CHUNK; i++) logger.info(record(i));
    await tick();
  }
  if (options.sync) dest.flushSync();
  else await new Promise((r) => dest.flush(r));
  fsyncSync(dest.fd);
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  dest.end();
  return n / s;
}

// The floor: 64 KB of hand-formatted lines at a time, written with fs.writeSync.
async function bare() {
  const fd = openSync(join(mkdtempSync(join(work, "bare-")), "metrics.jsonl"), "a");
  const prefixes = new Map();
  let pending = "";
  const measured = costs();
  const t = process.hrtime.bigint();
  for (let k = 0; k < n; k += CHUNK) {
    for (let i = k; i < k + CHUNK; i++) {
      const p = record(i);
      let prefix = prefixes.get(p.name);
      if (prefix === undefined) {
        prefix = `{"name":${JSON.stringify(p.name)},"value":`;
        prefixes.set(p.name, prefix);
      }
      pending += `${prefix}${p.value},"step":${p.step},"timestamp":${p.timestamp}}\n`;
      if (pending.length >= 65_536) {
        writeSync(fd, pending);
        pending = "";
      }
    }
    await tick();
  }
  writeSync(fd, pending);
  fsyncSync(fd);
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  measured();
  closeSync(fd);
  return n / s;
}

// The ceiling of "jsonl off the main thread": the least a caller can do (fill 4,096-point
// columns, post each buffer to a worker, transferred) and a worker that only encodes and writes
// (no summary, no index, no spool, no failure handling). What a real worker-fed jsonl could reach
// at best on this machine.
async function workerCeiling() {
  const worker = new Worker(new URL("./ceiling-worker.mjs", import.meta.url));
  worker.postMessage({ open: join(mkdtempSync(join(work, "ceiling-")), "metrics.jsonl") });
  const capacity = 4096;
  const ids = new Map();
  const names = [];
  let sentNames = 0;
  let buf;
  let values;
  let steps;
  let times;
  let idCol;
  let k = 0;
  const fresh = () => {
    buf = new ArrayBuffer(capacity * 28);
    values = new Float64Array(buf, 0, capacity);
    steps = new Float64Array(buf, capacity * 8, capacity);
    times = new Float64Array(buf, capacity * 16, capacity);
    idCol = new Int32Array(buf, capacity * 24, capacity);
    k = 0;
  };
  const seal = () => {
    worker.postMessage({ buf, length: k, capacity, names: names.slice(sentNames) }, [buf]);
    sentNames = names.length;
    fresh();
  };
  const log = (name, value, step) => {
    let id = ids.get(name);
    if (id === undefined) {
      id = names.length;
      names.push(name);
      ids.set(name, id);
    }
    idCol[k] = id;
    values[k] = value;
    steps[k] = step;
    times[k] = Date.now();
    if (++k === capacity) seal();
  };
  fresh();
  const t = process.hrtime.bigint();
  for (let k0 = 0; k0 < n; k0 += CHUNK) {
    for (let i = k0; i < k0 + CHUNK; i++) log(NAMES[i % 3], i * 0.5, i);
    await tick();
  }
  if (k > 0) seal();
  worker.postMessage({ end: true });
  await new Promise((r) => worker.once("message", r));
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  await worker.terminate();
  return n / s;
}

const run = {
  "worker-ceiling": workerCeiling,
  tracelet,
  bare,
  "pino-async": () => withPino({ sync: false }),
  "pino-sync": () => withPino({ sync: true, minLength: 4096 }),
}[variant];
const pps = await run();
process.stdout.write(process.env.BENCH_DETAIL === "1" ? `${JSON.stringify({ pps, ...detail })}\n` : `${pps}\n`);
