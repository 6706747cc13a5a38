// One end-to-end measurement in a fresh process: argv = variant, points, work dir, and "noyield"
// for a loop that never yields (one synchronous loop over every point, then flush). Prints
// points per second from the first record until the data is fsynced.
import { closeSync, fsyncSync, mkdtempSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { startExperiment } from "../../dist/index.js";

const [variant, count, work, mode] = process.argv.slice(2);
const yields = mode !== "noyield";
const n = Number(count);
const NAMES = ["train/loss", "train/accuracy", "lr"];
// A loop that never yields logs all its points in one chunk.
const CHUNK = yields ? 10_000 : n;
const tick = () => new Promise((r) => setImmediate(r));

function record(i) {
  return { name: NAMES[i % 3], value: i * 0.5, step: i, timestamp: 1_795_000_000_000 + (i >> 10) };
}

async function tracelet() {
  const cwd = mkdtempSync(join(work, "e2e-"));
  const exp = await startExperiment({ cwd, backends: ["jsonl"], logLevel: "silent" });
  const t = process.hrtime.bigint();
  for (let k = 0; k < n; k += CHUNK) {
    for (let i = k; i < k + CHUNK; i++) exp.logMetric(NAMES[i % 3], i * 0.5, i);
    await tick(); // a training step: the loop yields
  }
  await exp.flush(); // every backend accepted it and fsynced
  const s = Number(process.hrtime.bigint() - t) / 1e9;
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
  closeSync(fd);
  return n / s;
}

const run = {
  tracelet,
  bare,
  "pino-async": () => withPino({ sync: false }),
  "pino-sync": () => withPino({ sync: true, minLength: 4096 }),
}[variant];
process.stdout.write(`${await run()}\n`);
