// Where the yielding loop's RSS growth goes: runs memory-child.mjs (the (c) measurement of
// run.mjs: 1,000 names a step, yielding between steps) in fresh processes, Tracelet with jsonl
// and the bare batched writer alternating, each with heap-probe.mjs preloaded, and prints per
// side the worst and median growth and, for the median process, how much each V8 heap space and
// the memory outside the heap had grown when RSS peaked. The bare writer shows what V8 itself
// commits under a load that makes as much short-lived text (young generation and old space
// grown to their working sizes); what Tracelet adds beyond it is what to look at.
// Usage: npm run build && node bench/log-metric/memory-profile.mjs [reps=5] [steps=10000] [yield|noyield]
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const here = import.meta.dirname;
const [reps = 5, steps = 10_000] = process.argv.slice(2, 4).map(Number);
const mode = process.argv[4] ?? "yield";
const work = mkdtempSync(join(tmpdir(), "tracelet-memprof-"));

function child(variant) {
  const probe = join(work, `probe-${variant}.json`);
  const r = spawnSync(
    process.execPath,
    [
      "--expose-gc",
      "--import",
      join(here, "heap-probe.mjs"),
      join(here, "memory-child.mjs"),
      variant,
      String(steps),
      work,
      mode,
    ],
    { encoding: "utf8", env: { ...process.env, HEAP_PROBE_OUT: probe } },
  );
  if (r.status !== 0) throw new Error(`${variant} failed: ${r.stderr}`);
  return { ...JSON.parse(r.stdout), spaces: JSON.parse(readFileSync(probe, "utf8")) };
}

try {
  const runs = { tracelet: [], bare: [] };
  for (let i = 0; i < reps; i++) {
    for (const variant of i % 2 === 0 ? ["tracelet", "bare"] : ["bare", "tracelet"]) runs[variant].push(child(variant));
  }
  console.log(`${steps * 1000} points over 1,000 names, ${mode}, ${reps} fresh processes per side`);
  for (const [variant, list] of Object.entries(runs)) {
    const byGrowth = [...list].sort((a, b) => a.growthMB - b.growthMB);
    const median = byGrowth[Math.floor(byGrowth.length / 2)];
    const worst = byGrowth[byGrowth.length - 1];
    const f = (x) => x.toFixed(1);
    console.log(
      `${variant}: worst ${f(worst.growthMB)} MB, median ${f(median.growthMB)} MB (all: ${list.map((x) => f(x.growthMB)).join(", ")})`,
    );
    console.log(`  grown at the RSS peak of the median process (MB): ${JSON.stringify(median.spaces)}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
