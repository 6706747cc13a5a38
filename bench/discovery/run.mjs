// Discovery benchmark: cold (no cache file) and warm (valid cache) discovery over synthetic
// node_modules trees, each figure a ratio to a baseline measured in the same run: a bare
// synchronous readdir + readFile + JSON.parse of every package.json of the same tree.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PluginManager } from "../../dist/index.js";
import { generateProject } from "./generate.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const work = join(here, "..", ".work", "discovery");
const results = join(here, "..", "results");
const SIZES = (process.env.BENCH_SIZES ?? "1000,5000,20000").split(",").map(Number);
const LAYOUTS = ["hoisted", "pnpm"];
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
// Untimed rounds before measuring: enough for about 20,000 packages' worth of scanning, so that
// small trees reach the steady state large ones reach within their first rounds.
const warmupRounds = (size) => Number(process.env.BENCH_WARMUP ?? Math.max(3, Math.ceil(20_000 / size)));

function baselineHoisted(dir) {
  let n = 0;
  for (const name of readdirSync(dir)) {
    if (name.startsWith(".")) continue;
    const path = join(dir, name);
    if (name.startsWith("@")) {
      n += baselineHoisted(path);
      continue;
    }
    try {
      JSON.parse(readFileSync(join(path, "package.json"), "utf8"));
      n++;
    } catch {}
    if (existsSync(join(path, "node_modules"))) n += baselineHoisted(join(path, "node_modules"));
  }
  return n;
}

function baselinePnpm(store) {
  let n = 0;
  for (const id of readdirSync(store)) {
    if (id === "node_modules" || id.startsWith(".")) continue;
    const modules = join(store, id, "node_modules");
    for (const entry of readdirSync(modules, { withFileTypes: true })) {
      const list = entry.name.startsWith("@")
        ? readdirSync(join(modules, entry.name), { withFileTypes: true }).map((e) => [join(entry.name, e.name), e])
        : [[entry.name, entry]];
      for (const [name, e] of list) {
        if (e.isSymbolicLink()) continue;
        try {
          JSON.parse(readFileSync(join(modules, name, "package.json"), "utf8"));
          n++;
        } catch {}
      }
    }
  }
  return n;
}

// Every package.json of a tree (untimed), for the stat floor: a bare statSync of each, the least
// any warm check that notices every in-place edit must do.
function packageJsonFiles(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.name === ".pnpm" || entry.name === "node_modules") packageJsonFiles(path, out);
    else if (entry.name.startsWith(".") || entry.isSymbolicLink()) continue;
    else if (entry.name.startsWith("@")) packageJsonFiles(path, out);
    else if (existsSync(join(path, "package.json"))) {
      out.push(join(path, "package.json"));
      if (existsSync(join(path, "node_modules"))) packageJsonFiles(join(path, "node_modules"), out);
    } else packageJsonFiles(path, out); // a pnpm store id: <id>/node_modules/<name>
  }
  return out;
}

function statFloor(files) {
  for (const file of files) statSync(file);
  return files.length;
}

// Wall and CPU time (user + system) of one call. The machine may be shared: CPU time does not
// count the time spent waiting for a core, so it is the steadier of the two.
function time(fn) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = fn();
  const wall = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return [{ wall, cpu: (used.user + used.system) / 1000 }, value];
}

async function timeAsync(fn) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = await fn();
  const wall = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return [{ wall, cpu: (used.user + used.system) / 1000 }, value];
}

const min = (xs) => Math.min(...xs);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const summary = (samples) => ({
  wallMs: min(samples.map((s) => s.wall)),
  cpuMs: median(samples.map((s) => s.cpu)),
});

async function measure(size, layout) {
  const root = join(work, `${layout}-${size}`);
  const { plugins } = generateProject(root, { count: size, layout });
  const cacheDir = join(root, "node_modules", ".cache");
  const baselineFn =
    layout === "pnpm"
      ? () => baselinePnpm(join(root, "node_modules", ".pnpm"))
      : () => baselineHoisted(join(root, "node_modules"));
  // Through the public API, as a user's run discovers. No built-ins: they are not scanned.
  const manager = new PluginManager({ cwd: root, builtins: false });
  const discover = () => manager.discoverPlugins({ userPluginDirs: [] });
  // Load modules (ajv, read-pkg-up) and let the JIT settle, for both sides alike, outside the
  // timings: the figures compare steady-state costs.
  for (let w = 0; w < warmupRounds(size); w++) {
    baselineFn();
    rmSync(cacheDir, { recursive: true, force: true });
    await discover();
    await discover();
  }
  const files = packageJsonFiles(join(root, "node_modules"));
  if (files.length !== size) throw new Error(`found ${files.length} package.json files, expected ${size}`);
  const base = [];
  const floor = [];
  const cold = [];
  const warm = [];
  let found = 0;
  for (let r = 0; r < RUNS; r++) {
    const [b, count] = time(baselineFn);
    if (count !== size) throw new Error(`baseline saw ${count} packages, expected ${size}`);
    base.push(b);
    floor.push(time(() => statFloor(files))[0]);
    rmSync(cacheDir, { recursive: true, force: true });
    const [c, report] = await timeAsync(discover);
    if (report.cache !== "miss") throw new Error(`expected a cache miss, got ${report.cache}`);
    cold.push(c);
    found = report.plugins.filter((p) => p.state === "available").length;
    for (let w = 0; w < 2; w++) {
      const [t, again] = await timeAsync(discover);
      if (again.cache !== "hit") throw new Error(`expected a cache hit, got ${again.cache}`);
      warm.push(t);
    }
  }
  if (found !== plugins) throw new Error(`discovery found ${found} plugins, expected ${plugins}`);
  const b = summary(base);
  const c = summary(cold);
  const w = summary(warm);
  const f = summary(floor);
  return {
    size,
    layout,
    plugins,
    baseline: b,
    cold: c,
    warm: w,
    coldRatio: c.wallMs / b.wallMs,
    warmRatio: w.wallMs / b.wallMs,
    coldCpuRatio: c.cpuMs / b.cpuMs,
    warmCpuRatio: w.cpuMs / b.cpuMs,
    statFloorRatio: f.wallMs / b.wallMs,
    statFloorCpuRatio: f.cpuMs / b.cpuMs,
  };
}

mkdirSync(work, { recursive: true });
mkdirSync(results, { recursive: true });
const rows = [];
for (const layout of LAYOUTS) {
  for (const size of SIZES) {
    const row = await measure(size, layout);
    rows.push(row);
    console.log(
      `${layout.padEnd(8)} ${String(size).padStart(6)} packages: baseline ${row.baseline.wallMs.toFixed(1)} ms, ` +
        `cold ${row.coldRatio.toFixed(3)}x (cpu ${row.coldCpuRatio.toFixed(3)}x), ` +
        `warm ${row.warmRatio.toFixed(3)}x (cpu ${row.warmCpuRatio.toFixed(3)}x), ` +
        `stat floor ${row.statFloorRatio.toFixed(3)}x (cpu ${row.statFloorCpuRatio.toFixed(3)}x)`,
    );
  }
}
rmSync(work, { recursive: true, force: true });

const machine = `${cpus()[0]?.model ?? "unknown CPU"} × ${cpus().length}, Node ${process.version}, ${process.platform}`;
const date = new Date().toISOString();
const met = (ratio, target) => (ratio <= target ? "yes" : "no");
const x = (v) => `${v.toFixed(3)}×`;
const md = [
  "## Plugin discovery",
  "",
  "Discovery over synthetic `node_modules` trees: about 1 % plugin packages; realistic 1–3 KB package.json",
  "files (many small fields; about 30 % declare no dependencies); a quarter of the packages scoped; in the",
  "hoisted (npm) layout one package in twenty nested under another; the pnpm layout keeps every package in",
  "`node_modules/.pnpm/<id>/node_modules/<name>` with a tenth linked at the top level.",
  "",
  "Baseline, measured in the same run on the same tree: a bare synchronous readdir + readFile + JSON.parse",
  "of every package.json. Cold: no cache file (the OS file cache is warm for both). Warm: a valid cache in",
  "`node_modules/.cache/tracelet/`, validated by stat-ing every directory it listed and every package.json it",
  "read. Targets: cold ≤ 0.4×, warm ≤ 0.08×.",
  "Each side first runs untimed, 3 times or as often as it takes to scan about 20,000 packages (20 times for",
  "1,000), so that modules are loaded and the JIT has settled: the figures compare steady-state costs. Wall figures are the fastest of",
  `${RUNS} runs (warm: ${RUNS * 2}) of each, divided by the fastest baseline run;`,
  "CPU figures (user + system time of the process, steadier on a shared machine) are medians.",
  "Stat floor: a bare `statSync` of every package.json of the tree, the least that a warm check noticing",
  "every in-place edit must do (one system call per package), as a ratio to the same baseline.",
  "",
  "| layout | packages | plugins | baseline (ms) | cold (ms) | cold ÷ baseline | cold ÷ baseline, CPU | warm (ms) | warm ÷ baseline | warm ÷ baseline, CPU | stat floor ÷ baseline | cold ≤ 0.4× (wall) | warm ≤ 0.08× (wall) |",
  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
  ...rows.map(
    (r) =>
      `| ${r.layout} | ${r.size} | ${r.plugins} | ${r.baseline.wallMs.toFixed(1)} | ${r.cold.wallMs.toFixed(1)} | ${x(r.coldRatio)} | ${x(r.coldCpuRatio)} | ${r.warm.wallMs.toFixed(1)} | ${x(r.warmRatio)} | ${x(r.warmCpuRatio)} | ${x(r.statFloorRatio)} | ${met(r.coldRatio, 0.4)} | ${met(r.warmRatio, 0.08)} |`,
  ),
  "",
  `Machine: ${machine}. Load average at the end: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(", ")}. Date: ${date}.`,
  "",
].join("\n");
writeFileSync(join(results, "discovery.md"), md);
writeFileSync(join(results, "discovery.json"), `${JSON.stringify({ machine, date, runs: RUNS, rows }, null, 2)}\n`);
console.log(md);
