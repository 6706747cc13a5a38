// Where the never-yielding end-to-end figure (e) loses against the bare writer: minor page faults.
// `node bench/log-metric/page-faults.mjs [pairs]` runs, in fresh processes with the order
// alternating, Tracelet (jsonl alone) and the bare batched writeSync writer on 2M points in a loop
// that never yields (e2e-child.mjs "noyield", BENCH_DETAIL=1: time, CPU time of every thread and
// minor page faults of the measured window), and a probe of what one page fault costs on this
// machine (a fresh process touching 32 MiB of new memory, one write per 4 KiB page). Writes
// bench/results/log-metric-faults.{md,json} (a partial result: cited by bench/notes/log-metric.md,
// not assembled into docs/benchmarks.md on its own).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, platform, tmpdir } from "node:os";
import { join } from "node:path";

const here = import.meta.dirname;
const results = join(here, "..", "results");
const pairs = Number(process.argv[2] ?? 8);
const N = 2_000_000;

function child(args, env = {}) {
  const r = spawnSync(process.execPath, args, { encoding: "utf8", env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${args.join(" ")} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim());
}

// Touching fresh anonymous memory: each first write to a 4 KiB page is one minor fault.
const PROBE = `
const f0 = process.resourceUsage().minorPageFault;
const t = process.hrtime.bigint();
const b = new Float64Array(4 * 1024 * 1024);
for (let i = 0; i < b.length; i += 512) b[i] = 1;
const ns = Number(process.hrtime.bigint() - t);
console.log(JSON.stringify({ faults: process.resourceUsage().minorPageFault - f0, ms: ns / 1e6 }));
`;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const range = (xs) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;

const work = mkdtempSync(join(tmpdir(), "tracelet-faults-"));
const runs = { tracelet: [], bare: [], probe: [] };
try {
  for (let r = 0; r < pairs; r++) {
    const order = r % 2 === 0 ? ["tracelet", "bare"] : ["bare", "tracelet"];
    for (const variant of order) {
      const d = child([join(here, "e2e-child.mjs"), variant, String(N), work, "noyield"], { BENCH_DETAIL: "1" });
      runs[variant].push({ ms: (N / d.pps) * 1000, cpuMs: d.cpuMs, faults: d.faults });
    }
    runs.probe.push(child(["-e", PROBE]));
    process.stderr.write(`pair ${r + 1}/${pairs}\n`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const col = (side, key) => runs[side].map((x) => x[key]);
const usPerFault = runs.probe.map((p) => (p.ms * 1000) / p.faults);
const ratios = runs.tracelet.map((t, i) => runs.bare[i].ms / t.ms);
const extraFaults = runs.tracelet.map((t, i) => t.faults - runs.bare[i].faults);
const row = (label, side) =>
  `| ${label} | ${median(col(side, "ms")).toFixed(0)} (${range(col(side, "ms"))}) | ${median(col(side, "cpuMs")).toFixed(0)} (${range(col(side, "cpuMs"))}) | ${median(col(side, "faults")).toFixed(0)} (${range(col(side, "faults"))}) |`;
const date = new Date().toISOString();
const md = [
  "#### Page faults of the never-yielding end to end (e)",
  "",
  `2M points in a loop that never yields, then \`flush()\` (Tracelet, jsonl alone) or the last write`,
  `and fsync (bare writer), each in a fresh process, ${pairs} pairs with the order alternating`,
  "(`node bench/log-metric/page-faults.mjs`). Medians (range); CPU time of every thread; minor page",
  "faults counted by the kernel (getrusage) over the measured window only.",
  "",
  "| side | ms | CPU ms | minor page faults |",
  "| --- | ---: | ---: | ---: |",
  row("Tracelet", "tracelet"),
  row("bare batched writeSync writer", "bare"),
  "",
  `Tracelet ÷ bare (throughput, per pair): median ${median(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}).`,
  `Faults Tracelet takes beyond the bare writer's, per pair: median ${median(extraFaults).toFixed(0)} (${range(extraFaults)}).`,
  `One page fault on this machine (a fresh process touching 32 MiB, ${runs.probe[0]?.faults} faults): median ${median(usPerFault).toFixed(1)} µs (${Math.min(...usPerFault).toFixed(1)}–${Math.max(...usPerFault).toFixed(1)}).`,
  "",
  `Machine: ${cpus()[0]?.model ?? "unknown"} × ${cpus().length}, Node ${process.version}, ${platform()}. Date: ${date}.`,
];
writeFileSync(join(results, "log-metric-faults.md"), `${md.join("\n")}\n`);
writeFileSync(
  join(results, "log-metric-faults.json"),
  `${JSON.stringify({ date, points: N, pairs, runs, usPerFault, ratios, extraFaults }, null, 2)}\n`,
);
console.log(md.join("\n"));
