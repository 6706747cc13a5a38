// One memory measurement in a fresh process, so that nothing measured before (another bench's
// heap) hides or adds growth. argv = variant ("tracelet" | "bare"), steps, work dir, and
// "noyield" for a loop that never yields. Logs 1,000 names per step, yielding between steps
// unless "noyield", and prints JSON: RSS growth (MB) and seconds.
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { startExperiment } from "../../dist/index.js";

const [variant, count, work, mode] = process.argv.slice(2);
const yields = mode !== "noyield";
const steps = Number(count);
const names = Array.from({ length: 1000 }, (_, i) => `layer${i}/grad_norm`);
const tick = () => new Promise((r) => setImmediate(r));

async function measure(logStep, finish) {
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const t = process.hrtime.bigint();
  for (let s = 0; s < steps; s++) {
    logStep(s);
    if (s % 50 === 0) peak = Math.max(peak, process.memoryUsage().rss);
    if (yields) await tick();
  }
  await finish();
  peak = Math.max(peak, process.memoryUsage().rss);
  return { growthMB: (peak - before) / 2 ** 20, seconds: Number(process.hrtime.bigint() - t) / 1e9 };
}

async function tracelet() {
  const exp = await startExperiment({ cwd: mkdtempSync(join(work, "mem-")), backends: ["jsonl"], logLevel: "silent" });
  const result = await measure(
    (s) => {
      for (let j = 0; j < 1000; j++) exp.logMetric(names[j], j + s * 1e-3, s);
    },
    () => exp.flush(),
  );
  const spooled = exp.status().delivery.jsonl.spooledPoints;
  await exp.stop();
  rmSync(exp.runDir, { recursive: true, force: true });
  return { ...result, spooled };
}

// The same records through the (b) floor: hand-formatted lines, 64 KB at a time, writeSync.
async function bare() {
  const dir = mkdtempSync(join(work, "mem-bare-"));
  const fd = openSync(join(dir, "metrics.jsonl"), "a");
  const prefixes = new Map();
  let pending = "";
  const result = await measure(
    (s) => {
      for (let j = 0; j < 1000; j++) {
        const p = { name: names[j], value: j + s * 1e-3, step: s, timestamp: Date.now() };
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
    },
    async () => {
      writeSync(fd, pending);
      fsyncSync(fd);
    },
  );
  closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
  return result;
}

process.stdout.write(`${JSON.stringify(await { tracelet, bare }[variant]())}\n`);
