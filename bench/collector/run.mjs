// Collector benchmark: what sampling the machine once a second costs, for (a) our `system`
// collector (read from /proc, /sys and statfs), (b) the naive systeminformation sample set
// (currentLoad, mem, fsSize, disksIO, fsStats, networkStats, graphics), (c) an idle 1 Hz timer,
// and (d) our collector driven by a whole run (startExperiment with its default jsonl backend,
// scheduler, metric pipeline, metrics.jsonl written).
// Every sampler runs in its own child processes, all in parallel, so they share the machine's
// conditions: BENCH_REPS children per sampler measure CPU time (no histogram running; the
// median is reported, and the spread), one more measures event-loop delay (monitorEventLoopDelay
// at 1 ms resolution, which costs CPU itself). Each child warms up for BENCH_WARMUP_SECONDS
// (default 20) before its window of BENCH_SECONDS (default 60).
// Figures: CPU time as % of one core, including reaped child processes (the shells that
// systeminformation spawns), net of the idle baseline; max and p99 event-loop delay.
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, platform } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleInternals } from "../internal.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const results = join(here, "..", "results");
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 20);
const REPS = Math.max(1, Number(process.env.BENCH_REPS ?? 3));
const ALL_KINDS = ["ours", "naive", "idle", "engine", "pool", "sync"];
// BENCH_BEFORE_DIST (a copy of an earlier build's dist/, inside the repository so that its
// imports resolve) adds (g): the full run (d) on that build, in the same run, for a before/after.
const BEFORE_DIST = process.env.BENCH_BEFORE_DIST;
if (BEFORE_DIST) ALL_KINDS.push("before");
// BENCH_KINDS (comma-separated) runs a subset, e.g. "idle,engine" while working on the full run;
// the idle baseline is always included, every figure is net of it.
const KINDS = process.env.BENCH_KINDS
  ? ALL_KINDS.filter((k) => k === "idle" || process.env.BENCH_KINDS.split(",").includes(k))
  : ALL_KINDS;
if (BEFORE_DIST && !KINDS.includes("before")) KINDS.push("before");
const LABELS = {
  ours: "(a) `system` collector (/proc, /sys, statfs)",
  naive: "(b) naive systeminformation sample set",
  idle: "(c) idle 1 Hz timer (baseline)",
  engine: "(d) `system` collector in a full run (startExperiment, jsonl backend)",
  pool: "(e) its reads alone (5 /proc files, 1 statfs) through the thread pool",
  sync: "(f) the same reads, synchronous (as (a) makes them)",
  before: "(g) (d) on the build before the change (BENCH_BEFORE_DIST)",
};

function runChild(kind, measure) {
  return new Promise((resolve, reject) => {
    const args = ["--expose-gc", join(here, "sampler.mjs"), kind, measure, String(SECONDS), String(WARMUP)];
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`${kind}/${measure} exited with ${code}`));
      resolve(JSON.parse(out.trim().split("\n").pop()));
    });
  });
}

const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

console.log(
  `collector bench: ${KINDS.length * (REPS + 1)} children in parallel, ${WARMUP} s warm-up then ${SECONDS} s at 1 Hz each`,
);
// The children import the system collector class, internal to dist/'s bundle, from here.
await bundleInternals("collector", { SystemCollector: "src/collectors/system/system-collector.ts" });
const started = Date.now();
const runs = await Promise.all(
  KINDS.flatMap((k) => [...Array.from({ length: REPS }, () => runChild(k, "cpu")), runChild(k, "delay")]),
);
const cpuRuns = (kind) => runs.filter((r) => r.kind === kind && r.measure === "cpu");
const get = (kind, measure) => runs.find((r) => r.kind === kind && r.measure === measure);
const ms = (r) => r.ownCpuMs + r.childCpuMs;
const idleRuns = cpuRuns("idle");
const idlePercent = median(idleRuns.map((r) => r.totalPercent));
const idleMsPerSecond = median(idleRuns.map((r) => ms(r) / (r.wallMs / 1000)));
const rows = KINDS.map((kind) => {
  const cpu = cpuRuns(kind);
  const delay = get(kind, "delay");
  const nets = cpu.map((r) => r.totalPercent - idlePercent);
  return {
    kind,
    label: LABELS[kind],
    samples: median(cpu.map((r) => r.samples)),
    reps: cpu.length,
    cpuPercent: median(cpu.map((r) => r.totalPercent)),
    ownCpuPercent: median(cpu.map((r) => r.ownPercent)),
    childCpuPercent: median(cpu.map((r) => r.totalPercent - r.ownPercent)),
    netCpuPercent: median(nets),
    netCpuPercentMin: Math.min(...nets),
    netCpuPercentMax: Math.max(...nets),
    cpuMsPerSample: median(cpu.map((r) => (ms(r) - idleMsPerSecond * (r.wallMs / 1000)) / r.samples)),
    inSampleCpuMsPerSample:
      cpu[0].inSampleCpuMs === undefined ? undefined : median(cpu.map((r) => r.inSampleCpuMs / r.samples)),
    maxDelayMs: delay.maxDelayMs,
    p99DelayMs: delay.p99DelayMs,
    maxCpuStallMs: delay.maxCpuStallMs,
    maxOwnCodeStallMs: delay.maxOwnCodeStallMs,
    maxGcPauseMs: delay.maxGcPauseMs,
  };
});
const row = (k) => rows.find((r) => r.kind === k) ?? { netCpuPercent: Number.NaN, maxDelayMs: Number.NaN };
// A net cost at or below zero means (a) vanished in the idle child's noise (short runs): no ratio.
const ratio = row("ours").netCpuPercent > 0 ? row("naive").netCpuPercent / row("ours").netCpuPercent : null;
const targets = {
  oursCpuAtMost02: row("ours").netCpuPercent <= 0.2,
  fullRunCpuAtMost02: row("engine").netCpuPercent <= 0.2,
  oursMaxDelayAtMost2ms: row("ours").maxDelayMs <= 2,
  oursMaxCpuStallAtMost2ms: row("ours").maxCpuStallMs <= 2,
  oursMaxOwnCodeStallAtMost2ms: row("ours").maxOwnCodeStallMs <= 2,
  atLeast50xCheaper: ratio !== null && ratio >= 50,
};
const machine = { cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, node: process.version, os: platform() };
const date = new Date().toISOString();
const f = (n, d = 3) => (n === undefined ? "–" : n.toFixed(d));

const md = [
  "## Collector sampling cost",
  "",
  `Each sampler runs once a second for ${SECONDS} s, after ${WARMUP} s of warm-up, in child processes of its own, all`,
  `children in parallel: ${REPS} fresh children per sampler measure CPU time (medians shown), one more measures`,
  "event-loop delay. The warm-up keeps out what a process pays once after its start: module compilation and",
  "the full garbage collections V8's memory reducer runs about 8 s after start-up (up to three, 10–20 ms each with",
  "the library loaded), which are no cost of sampling and would otherwise add about 0.1 % of a core to a 60 s window. Columns:",
  "",
  "- *CPU % of a core*: user + system time of the process and of the child processes it reaped",
  "  (systeminformation spawns shells); *net of idle* subtracts the idle 1 Hz timer (c) of the same run",
  "  (median of each), with the range over the repetitions.",
  "- *CPU ms inside each sample*: the process's CPU time between the start and the end of each sample",
  "  (every thread of the process, not its child processes), which background noise does not reach.",
  "- *max event-loop delay*, *p99*: `monitorEventLoopDelay` at 1 ms resolution, minus the resolution.",
  "  They include the machine's scheduling noise (other processes share these 2 cores), as the idle row shows.",
  "- *max stall on own CPU*: the longest lateness of a 1 ms probe during which the main thread itself was",
  "  on the CPU (wall time against the thread's run time from /proc/thread-self/schedstat), which other",
  "  processes cannot inflate; *outside GC* further subtracts V8's garbage-collection pauses (observed with",
  "  PerformanceObserver), which every Node process has, the idle one too: what remains is the longest",
  "  time the sampler's own code held the loop.",
  "",
  "Targets: (a) and (d) ≤ 0.2 % of a core net, (a) ≤ 2 ms max event-loop delay, (b) ÷ (a) ≥ 50× net of idle.",
  "On Linux the collector reads every `/proc`, `/sys` and cgroup file synchronously on descriptors kept open, and",
  "`statfs`es local file systems synchronously: such a read costs microseconds, less than a round trip through",
  "libuv's thread pool (queue, wake a pool thread, wake the event loop), as (e) against (f) shows.",
  "No GPU on this machine: nvidia-smi is absent, so `graphics()` and our GPU child cost only their",
  "failed lookups.",
  "",
  "| sampler | samples × runs | CPU % of a core | of which child processes | net of idle (range) | CPU ms per sample (net) | CPU ms inside each sample | max event-loop delay (ms) | p99 delay (ms) | max stall on own CPU (ms) | of it, outside GC (ms) | longest GC pause (ms) |",
  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ...rows.map(
    (r) =>
      `| ${r.label} | ${r.samples} × ${r.reps} | ${f(r.cpuPercent)} | ${f(r.childCpuPercent)} | ${r.kind === "idle" ? "–" : `${f(r.netCpuPercent)} (${f(r.netCpuPercentMin)}–${f(r.netCpuPercentMax)})`} | ${r.kind === "idle" ? "–" : f(r.cpuMsPerSample, 2)} | ${r.kind === "idle" ? "–" : f(r.inSampleCpuMsPerSample, 2)} | ${f(r.maxDelayMs, 2)} | ${f(r.p99DelayMs, 2)} | ${f(r.maxCpuStallMs, 2)} | ${f(r.maxOwnCodeStallMs, 2)} | ${f(r.maxGcPauseMs, 2)} |`,
  ),
  "",
  `(b) ÷ (a), net of idle: ${ratio === null ? "not measurable in this run ((a) is within the idle baseline's noise; run longer)" : `**${ratio.toFixed(0)}×** cheaper`}. Targets met: CPU ≤ 0.2 %: ${targets.oursCpuAtMost02 ? "yes" : "no"}; full run ≤ 0.2 %: ${targets.fullRunCpuAtMost02 ? "yes" : "no"};` +
    ` max delay ≤ 2 ms: ${targets.oursMaxDelayAtMost2ms ? "yes" : "no"} (own-CPU stall ≤ 2 ms: ${targets.oursMaxCpuStallAtMost2ms ? "yes" : "no"};` +
    ` outside GC: ${targets.oursMaxOwnCodeStallAtMost2ms ? "yes" : "no"});` +
    ` ≥ 50× cheaper: ${targets.atLeast50xCheaper ? "yes" : "no"}.`,
  "",
  `Machine: ${machine.cpu} × ${machine.cores}, Node ${machine.node}, ${machine.os}. Load average at the end: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(", ")}. Date: ${date}.`,
  "",
].join("\n");

mkdirSync(results, { recursive: true });
// A subset run writes beside the full one, not over it.
const out = KINDS === ALL_KINDS ? "collector" : `collector-${KINDS.join("-")}`;
writeFileSync(join(results, `${out}.md`), md);
writeFileSync(
  join(results, `${out}.json`),
  `${JSON.stringify({ name: "collector", date, machine, seconds: SECONDS, warmupSeconds: WARMUP, reps: REPS, rows, ratioNaiveToOurs: ratio, targets, raw: runs }, null, 2)}\n`,
);
console.log(md);
console.log(`collector bench done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
