// bench/log-metric: the metric hot path and data path, each figure a ratio to a baseline
// measured in this same run. Writes bench/results/log-metric.{md,json}.
//   (a) logMetric ns/call with 1 and 3 backends vs a bare array.push({ name, value, step }) loop
//   (b) end-to-end points/s until durable in jsonl vs pino (async; sync+minLength 4096) and a
//       bare hand-batched writer (64 KB buffers + fs.writeSync)
//   (c) RSS growth over 10M points across 1,000 names
//   (d) start-up of a whole process vs `node -e 0`, against eagerly importing the six deps
//   (e) the same with a loop that never yields: ns/call with 3 backends (5M calls per round,
//       flush between rounds, every point checked in every backend at stop), end to end, RSS
// `node bench/log-metric/run.mjs --startup` runs only (d) and prints it; `--memory` only (c);
// `--noyield` only (e); `--e2e` only the end-to-end figures of (b) and (e), each with the
// worker ceiling.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { BackendPlugin, PluginManager, startExperiment } from "../../dist/index.js";

const here = resolve(import.meta.dirname);
const resultsDir = resolve(here, "../results");
const work = mkdtempSync(join(tmpdir(), "tracelet-bench-log-metric-"));
const quick = process.env.BENCH_QUICK === "1";
const NAMES = ["train/loss", "train/accuracy", "lr"];
const tick = () => new Promise((r) => setImmediate(r));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// Ratios are taken within each repetition (Tracelet and its baseline measured back to back),
// then summarised: the median, and the spread so that a figure near its target reads as such.
const ratios = (xs, ys) => xs.map((x, i) => x / ys[i]);
const spread = (rs) => ({ median: median(rs), min: Math.min(...rs), max: Math.max(...rs) });
const gc = () => globalThis.gc?.();

class NullBackend extends BackendPlugin {
  static metadata = { name: "null-a", type: "backend" };
  logMetric() {}
  logMetrics() {}
}
class NullBackendB extends NullBackend {
  static metadata = { name: "null-b", type: "backend" };
}

async function run(backends, extra = {}) {
  const cwd = mkdtempSync(join(work, "run-"));
  const manager = new PluginManager({ cwd });
  manager.registerPlugin(NullBackend);
  manager.registerPlugin(NullBackendB);
  return startExperiment({ cwd, manager, backends, logLevel: "silent", ...extra });
}

// ---- (a) hot path: ns per call, timing only the synchronous logging loops ----------------
// Each side is a module-level training step given what it logs into, called with a fresh
// chunk of steps, as a training script calls its step function: one function, one run.
const CHUNK = 10_000;
function pushStep(kept, k) {
  for (let i = k; i < k + CHUNK; i++) kept.push({ name: NAMES[i % 3], value: i * 0.5, step: i });
}
function youngStep(_, k) {
  const a = [];
  for (let i = k; i < k + CHUNK; i++) a.push({ name: NAMES[i % 3], value: i * 0.5, step: i });
  if (a.length !== CHUNK) throw new Error("unreachable");
}
function logStep(exp, k) {
  for (let i = k; i < k + CHUNK; i++) exp.logMetric(NAMES[i % 3], i * 0.5, i);
}

async function timeCalls(total, step, target) {
  let ns = 0;
  for (let k = 0; k < total; k += CHUNK) {
    const t = process.hrtime.bigint();
    step(target, k);
    ns += Number(process.hrtime.bigint() - t);
    await tick(); // between training steps the loop yields, and backends work
  }
  return ns / total;
}

async function hotPath() {
  const total = quick ? 1_000_000 : 2_000_000;
  const reps = quick ? 3 : 9;
  const young = [];
  const push = [];
  const one = [];
  const three = [];
  // One run per backend count for the whole measurement, as a training script has one run.
  const runs = [
    [one, await run(["jsonl"])],
    [three, await run(["jsonl", "null-a", "null-b"])],
  ];
  // Repetition 0 warms every side up (first optimisation of each step function) and is not kept.
  for (let r = 0; r <= reps; r++) {
    const keep = (list, x) => r > 0 && list.push(x);
    const sides = [
      async () => {
        // The bare loop keeps its points, as anything that must deliver them later has to.
        let kept = [];
        keep(push, await timeCalls(total, pushStep, kept));
        if (kept.length !== total) throw new Error("unreachable");
        kept = undefined;
      },
      // For reference: the same loop into a fresh array per chunk, so the objects die young.
      async () => keep(young, await timeCalls(total, youngStep, undefined)),
      ...runs.map(([list, exp]) => async () => {
        keep(list, await timeCalls(total, logStep, exp));
        await exp.flush(); // this repetition's points delivered before the next side is timed
      }),
    ];
    // Rotate the order each repetition: no side always runs right after another's garbage.
    for (let j = 0; j < sides.length; j++) {
      await sides[(j + r) % sides.length]();
      gc();
    }
  }
  for (const [, exp] of runs) {
    await exp.stop();
    rmSync(exp.runDir, { recursive: true, force: true });
  }
  return {
    push: median(push),
    young: median(young),
    one: median(one),
    three: median(three),
    total,
    reps,
    ratioOne: spread(ratios(one, push)),
    ratioThree: spread(ratios(three, push)),
  };
}

// ---- (b) end-to-end: points/s from the first call until durable on disk ------------------
// Each measurement runs in a fresh process (e2e-child.mjs): in one process, the baselines'
// record objects would share V8 hidden classes with Tracelet's and slow each other down.
function e2eChild(variant, n, mode = "yield") {
  const r = spawnSync(process.execPath, ["--expose-gc", join(here, "e2e-child.mjs"), variant, String(n), work, mode], {
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`e2e ${variant} failed: ${r.stderr}`);
  return Number(r.stdout.trim());
}

async function endToEnd() {
  const n = quick ? 500_000 : 2_000_000;
  const reps = quick ? 3 : 9;
  const rows = { tracelet: [], bare: [], pinoAsync: [], pinoSync: [] };
  for (let r = 0; r < reps; r++) {
    // Alternate which goes first: the disk's state (writeback, journal) favours neither side.
    const pair = r % 2 === 0 ? ["bare", "tracelet"] : ["tracelet", "bare"];
    for (const variant of pair) rows[variant].push(e2eChild(variant, n));
    // pino is 10x slower: a third of the repetitions are enough for a reference figure.
    if (r % 3 === 0) {
      rows.pinoAsync.push(e2eChild("pino-async", n / 4));
      rows.pinoSync.push(e2eChild("pino-sync", n / 4));
    }
  }
  return {
    ...Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, median(v)])),
    reps,
    ratio: spread(ratios(rows.tracelet, rows.bare)),
  };
}

// ---- (c) memory: 10M points over 1,000 names ----------------------------------------------
// Each measurement in a fresh process (memory-child.mjs): measured here, after (a), the heap the
// hot-path loops left behind would hide most of the growth. The bare writer of (b), doing the
// same work, shows how much of it is V8's own young generation growing under any such load.
function memoryChild(variant, steps, mode = "yield") {
  const r = spawnSync(
    process.execPath,
    ["--expose-gc", join(here, "memory-child.mjs"), variant, String(steps), work, mode],
    {
      encoding: "utf8",
    },
  );
  if (r.status !== 0) throw new Error(`memory ${variant} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

async function memory() {
  const steps = quick ? 2_000 : 10_000;
  const reps = quick ? 1 : 3;
  const tracelet = [];
  const bare = [];
  for (let r = 0; r < reps; r++) {
    tracelet.push(memoryChild("tracelet", steps));
    bare.push(memoryChild("bare", steps));
  }
  // The worst repetition counts against the limit, not the median.
  const worst = tracelet.reduce((a, b) => (b.growthMB > a.growthMB ? b : a));
  return {
    points: steps * 1000,
    reps,
    growthMB: worst.growthMB,
    seconds: worst.seconds,
    spooled: Math.max(...tracelet.map((x) => x.spooled)),
    all: tracelet.map((x) => x.growthMB),
    bareGrowthMB: median(bare.map((x) => x.growthMB)),
  };
}

// ---- (e) never-yielding loops ----------------------------------------------------------------
// Every measurement in a fresh process: the hot path (noyield-child.mjs: bare push vs logMetric
// into jsonl + two in-process backends, the child checks every point reached every backend, in
// order, once stop() resolved), end to end (e2e-child.mjs "noyield") and memory
// (memory-child.mjs "noyield").
function noyieldChild(variant, n, rounds) {
  const r = spawnSync(
    process.execPath,
    ["--expose-gc", join(here, "noyield-child.mjs"), variant, String(n), String(rounds), work],
    { encoding: "utf8", maxBuffer: 1 << 20 },
  );
  if (r.status !== 0) throw new Error(`noyield ${variant} failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

// End to end, Tracelet (jsonl alone) vs the bare writer vs the worker ceiling (e2e-child.mjs
// "worker-ceiling": the least a jsonl writer off the main thread could cost), each in a fresh
// process, the order rotating every repetition; ratios per repetition.
function e2eTriples(mode, n, reps) {
  const rows = { tracelet: [], bare: [], "worker-ceiling": [] };
  const order = Object.keys(rows);
  for (let r = 0; r < reps; r++)
    for (let j = 0; j < order.length; j++) {
      const v = order[(j + r) % order.length];
      rows[v].push(e2eChild(v, n, mode));
    }
  return {
    mode,
    n,
    reps,
    tracelet: median(rows.tracelet),
    bare: median(rows.bare),
    ceiling: median(rows["worker-ceiling"]),
    ratio: spread(ratios(rows.tracelet, rows.bare)),
    ratioCeiling: spread(ratios(rows["worker-ceiling"], rows.bare)),
  };
}

async function neverYields() {
  const n = quick ? 1_000_000 : 5_000_000;
  const rounds = 3;
  const reps = quick ? 1 : 3;
  const push = [];
  const three = [];
  const runs = [];
  for (let r = 0; r < reps; r++) {
    const pair = r % 2 === 0 ? ["push", "log3"] : ["log3", "push"];
    for (const v of pair) {
      const x = noyieldChild(v, n, rounds);
      if (v === "push") push.push(median(x.ns));
      else {
        three.push(median(x.ns));
        runs.push(x);
      }
    }
  }
  const e2eN = quick ? 500_000 : 2_000_000;
  // As many repetitions as (b): its ratio moved by ±0.1 between runs of 5 on this shared machine.
  const e2eReps = quick ? 3 : 9;
  const e2e = e2eTriples("noyield", e2eN, e2eReps);
  const steps = quick ? 2_000 : 10_000;
  const memReps = quick ? 1 : 3;
  const mem = [];
  for (let r = 0; r < memReps; r++) mem.push(memoryChild("tracelet", steps, "noyield"));
  const worst = mem.reduce((a, b) => (b.growthMB > a.growthMB ? b : a));
  return {
    n,
    rounds,
    reps,
    push: median(push),
    three: median(three),
    ratioThree: spread(ratios(three, push)),
    stopMs: median(runs.map((x) => x.stopMs)),
    flushMs: median(runs.map((x) => median(x.flushMs))),
    counts: runs.map((x) => x.counts),
    expected: n * rounds,
    e2eN,
    e2eReps,
    tracelet: e2e.tracelet,
    bare: e2e.bare,
    ceiling: e2e.ceiling,
    ratioE2e: e2e.ratio,
    ratioCeiling: e2e.ratioCeiling,
    points: steps * 1000,
    memReps,
    growthMB: worst.growthMB,
    all: mem.map((x) => x.growthMB),
    spooled: Math.max(...mem.map((x) => x.spooled)),
  };
}

// ---- (d) start-up --------------------------------------------------------------------------
// The probe runs at its default log level, whatever the caller's environment says.
const { TRACELET_LOG_LEVEL: _level, ...probeEnv } = process.env;
function timeProcess(args, cwd) {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd, encoding: "utf8", env: probeEnv });
  if (r.status !== 0) throw new Error(`${args.join(" ")} failed: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

function startup() {
  const cwd = mkdtempSync(join(work, "startup-"));
  writeFileSync(join(cwd, "package.json"), JSON.stringify({ name: "bench-host", private: true }));
  const probe = spawnSync(process.execPath, [join(here, "startup-tracelet.mjs"), cwd, "system"], { encoding: "utf8" });
  const withSystem = probe.status === 0;
  const args = [join(here, "startup-tracelet.mjs"), cwd, ...(withSystem ? ["system"] : [])];
  const jsonlOnly = [join(here, "startup-tracelet.mjs"), cwd];
  const reps = quick ? 5 : 21;
  const base = [];
  const deps = [];
  const tracelet = [];
  const plain = [];
  for (let r = 0; r < reps; r++) {
    // Rotate the order each repetition: none of the four always runs right after another.
    const jobs = [
      () => base.push(timeProcess(["-e", "0"], cwd)),
      () => deps.push(timeProcess([join(here, "startup-deps.mjs")], here)),
      () => tracelet.push(timeProcess(args, cwd)),
      () => plain.push(timeProcess(jsonlOnly, cwd)),
    ];
    for (let j = 0; j < jobs.length; j++) jobs[(j + r) % jobs.length]();
  }
  return {
    base: median(base),
    deps: median(deps),
    tracelet: median(tracelet),
    jsonlOnly: median(plain),
    withSystem,
    reps,
  };
}

// ---- report --------------------------------------------------------------------------------
// `--startup`: only (d), printed, results files untouched (for working on start-up time).
// \`--hot-path\`: only (a), printed, results files untouched.
if (process.argv.includes("--hot-path")) {
  const a = await hotPath();
  rmSync(work, { recursive: true, force: true });
  console.log(a);
  process.exit(0);
}
if (process.argv.includes("--memory")) {
  const c = await memory();
  rmSync(work, { recursive: true, force: true });
  console.log(c);
  process.exit(0);
}
if (process.argv.includes("--noyield")) {
  const e = await neverYields();
  rmSync(work, { recursive: true, force: true });
  console.log(JSON.stringify(e, null, 2));
  process.exit(0);
}
// `--e2e`: only the end-to-end triples, yielding and never yielding, printed.
if (process.argv.includes("--e2e")) {
  const n = quick ? 500_000 : 2_000_000;
  const reps = quick ? 3 : 5;
  const both = [e2eTriples("yield", n, reps), e2eTriples("noyield", n, reps)];
  rmSync(work, { recursive: true, force: true });
  console.log(JSON.stringify({ load: loadavg(), both }, null, 2));
  process.exit(0);
}
if (process.argv.includes("--startup")) {
  const d = startup();
  rmSync(work, { recursive: true, force: true });
  const ratio = (x) => ((x - d.base) / (d.deps - d.base)).toFixed(2);
  console.log({ ...d, ratio: ratio(d.tracelet), jsonlOnlyRatio: ratio(d.jsonlOnly) });
  process.exit(0);
}
const a = await hotPath();
const b = await endToEnd();
const c = await memory();
const d = startup();
const e = await neverYields();
rmSync(work, { recursive: true, force: true });

const f = (x, digits = 2) => x.toFixed(digits);
const ratioA1 = a.ratioOne.median;
const ratioA3 = a.ratioThree.median;
const ratioB = b.ratio.median;
const range = (r) => `${f(r.min)}–${f(r.max)}`;
const ratioD = (d.tracelet - d.base) / (d.deps - d.base);
const mps = (x) => `${f(x / 1e6)} M/s`;
const ok = (met) => (met ? "met" : "**not met**");
const machine = `${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, Node ${process.version}`;
const date = new Date().toISOString().slice(0, 10);
const md = `## logMetric: hot path, end-to-end, memory, start-up

Measured ${date} on ${machine}, load average ${loadavg()[0].toFixed(1)} at the end (other work shared the machine). \`node --expose-gc bench/log-metric/run.mjs\`${quick ? " (BENCH_QUICK)" : ""}.

| figure | Tracelet | baseline (same run) | ratio | target |
| --- | --- | --- | --- | --- |
| (a) \`logMetric\`, 1 backend (jsonl), ns/call | ${f(a.one, 1)} | bare \`array.push({name,value,step})\`: ${f(a.push, 1)} | ${f(ratioA1)}× (${range(a.ratioOne)}) | ≤ 0.5× — ${ok(ratioA1 <= 0.5)} |
| (a) \`logMetric\`, 3 backends, ns/call | ${f(a.three, 1)} | same | ${f(ratioA3)}× (${range(a.ratioThree)}) | ≤ 0.5× — ${ok(ratioA3 <= 0.5)} |
| (a) for reference: \`logMetric\`, 1 backend, vs the push loop into a fresh array per 10,000 (objects die young) | ${f(a.one, 1)} | ${f(a.young, 1)} | ${f(a.one / a.young)}× | (not the target's baseline) |
| (b) end-to-end until fsynced in jsonl | ${mps(b.tracelet)} | bare hand-batched writer (64 KB strings + writeSync): ${mps(b.bare)} | ${f(ratioB)}× (${range(b.ratio)}) | ≥ 0.8× — ${ok(ratioB >= 0.8)} |
| (b) vs pino, async destination | | ${mps(b.pinoAsync)} | ${f(b.tracelet / b.pinoAsync, 1)}× | |
| (b) vs pino, \`sync: true, minLength: 4096\` | | ${mps(b.pinoSync)} | ${f(b.tracelet / b.pinoSync, 1)}× | |
| (c) RSS growth, ${c.points / 1e6}M points over 1,000 names, worst of ${c.reps} fresh processes | ${f(c.growthMB, 1)} MB (${f(c.points / c.seconds / 1e6)} M points/s; all: ${c.all.map((x) => f(x, 1)).join(", ")}) | limit 64 MB | ${f(c.growthMB / 64)}× of limit | ≤ 64 MB — ${ok(c.growthMB <= 64)} |
| (c) for reference: the same records through the bare writer of (b) | | ${f(c.bareGrowthMB, 1)} MB (median) | | (V8's young generation grows under any such load) |
| (d) start-up, extra ms over \`node -e 0\` (${d.base.toFixed(0)} ms) | ${f(d.tracelet - d.base, 0)} ms (jsonl${d.withSystem ? " + system" : " only: system not registered"}) | eager import of the six deps: ${f(d.deps - d.base, 0)} ms | ${f(ratioD)}× | ≤ 0.5× — ${ok(ratioD <= 0.5)} |
| (e) never-yielding loop, \`logMetric\`, 3 backends (jsonl + 2 in-process), ns/call, ${e.n / 1e6}M calls per round | ${f(e.three, 1)} | bare \`array.push({name,value,step})\`, never yielding: ${f(e.push, 1)} | ${f(e.ratioThree.median)}× (${range(e.ratioThree)}) | ≤ 0.5× — ${ok(e.ratioThree.median <= 0.5)} |
| (e) never-yielding: every point in every backend when \`stop()\` resolved | ${e.counts.map((c) => Object.values(c).join("/")).join("; ")} (jsonl/count-a/count-b) | expected ${e.expected.toLocaleString("en")} each | | all — ${ok(e.counts.every((c) => Object.values(c).every((x) => x === e.expected)))} |
| (e) never-yielding, end to end until fsynced in jsonl | ${mps(e.tracelet)} | the bare writer of (b), never yielding: ${mps(e.bare)} | ${f(e.ratioE2e.median)}× (${range(e.ratioE2e)}) | ≥ 0.8× — ${ok(e.ratioE2e.median >= 0.8)} |
| (e) for reference: the worker ceiling (columns posted to a worker that only encodes and writes), never yielding | ${mps(e.ceiling)} | same | ${f(e.ratioCeiling.median)}× (${range(e.ratioCeiling)}) | (the best a jsonl writer off the main thread could reach here) |
| (e) never-yielding, RSS growth, ${e.points / 1e6}M points over 1,000 names, worst of ${e.memReps} fresh processes | ${f(e.growthMB, 1)} MB (all: ${e.all.map((x) => f(x, 1)).join(", ")}; up to ${(e.spooled / 1e6).toFixed(1)}M points spooled at the end of the loop) | limit 128 MB | ${f(e.growthMB / 128)}× of limit | ≤ 128 MB — ${ok(e.growthMB <= 128)} |
| (d) start-up, jsonl only | ${f(d.jsonlOnly - d.base, 0)} ms | same | ${f((d.jsonlOnly - d.base) / (d.deps - d.base))}× | (for reference) |

(a) times only the synchronous logging loops: ${a.total / 1e6}M calls per repetition in chunks of 10,000,
each chunk a call of a module-level step function given what it logs into (the bare array, or the
run), yielding between chunks as a training step would; one run per backend count for the whole
measurement, as a script has one run; ${a.reps} repetitions after one warm-up repetition of every side
that is not kept, the order of the sides rotating and a full GC after each. The backends' work happens in the yields and is what (b) measures. (b) logs in the same chunks and stops the clock when \`flush()\` has resolved
(every point written and fsynced); the baselines write the same records and fsync at the end;
each measurement runs in a fresh process (${b.reps} pairs, which side goes first alternating; pino in a
third of them). Ratios (a) and (b) are the median of the per-repetition ratios, with their range in
parentheses; times and rates shown are medians. (d) compares medians of ${d.reps} interleaved repetitions (the order of the four
processes rotating); single processes vary by ±50 ms here, so per-repetition ratios are not shown.
(e) runs each side in a fresh process: ${e.rounds} rounds of ${e.n / 1e6}M calls, each one synchronous loop
that never yields, \`flush()\` between rounds (median ${f(e.flushMs / 1000, 1)} s each; \`stop()\` then took
${f(e.stopMs / 1000, 1)} s); the ns/call of a process is the median of its rounds, ${e.reps} processes per side
alternating. Past the queues' byte bound (32 MiB each) a never-yielding loop's chunks go to the
binary spool, and are delivered from it once the loop yields. End to end: ${e.e2eReps} pairs of ${e.e2eN / 1e6}M points.
`;
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, "log-metric.md"), md);
writeFileSync(
  join(resultsDir, "log-metric.json"),
  `${JSON.stringify({ date, machine, quick, hotPath: a, endToEnd: b, memory: c, startup: d, neverYields: e, ratios: { a1: ratioA1, a3: ratioA3, b: ratioB, d: ratioD } }, null, 2)}\n`,
);
console.log(md);
