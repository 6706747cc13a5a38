// Discovery benchmark: cold (no cache file) and warm (valid cache) discovery over synthetic
// node_modules trees, each figure a ratio to a baseline measured in the same run: a bare
// synchronous readdir + readFile + JSON.parse of every package.json of the same tree.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { discover } from "../../dist/plugins/discovery/discover.js";
import { generateProject } from "./generate.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const work = join(here, "..", ".work", "discovery");
const results = join(here, "..", "results");
const SIZES = (process.env.BENCH_SIZES ?? "1000,5000,20000").split(",").map(Number);
const LAYOUTS = ["hoisted", "pnpm"];
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

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

function time(fn) {
  const started = performance.now();
  const value = fn();
  return [performance.now() - started, value];
}

async function timeAsync(fn) {
  const started = performance.now();
  const value = await fn();
  return [performance.now() - started, value];
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(size, layout) {
  const root = join(work, `${layout}-${size}`);
  const { plugins } = generateProject(root, { count: size, layout });
  const cacheDir = join(root, "node_modules", ".cache");
  const baselineFn =
    layout === "pnpm"
      ? () => baselinePnpm(join(root, "node_modules", ".pnpm"))
      : () => baselineHoisted(join(root, "node_modules"));
  const options = { cwd: root, userPluginDirs: [] };
  await discover(options); // load modules (ajv, read-pkg-up) outside the timings
  const base = [];
  const cold = [];
  const warm = [];
  let found = 0;
  for (let r = 0; r < RUNS; r++) {
    const [b, count] = time(baselineFn);
    if (count !== size) throw new Error(`baseline saw ${count} packages, expected ${size}`);
    base.push(b);
    rmSync(cacheDir, { recursive: true, force: true });
    const [c, report] = await timeAsync(() => discover(options));
    if (report.cache !== "miss") throw new Error(`expected a cache miss, got ${report.cache}`);
    cold.push(c);
    found = report.plugins.filter((p) => p.state === "available").length;
    for (let w = 0; w < 2; w++) {
      const [t, again] = await timeAsync(() => discover(options));
      if (again.cache !== "hit") throw new Error(`expected a cache hit, got ${again.cache}`);
      warm.push(t);
    }
  }
  if (found !== plugins) throw new Error(`discovery found ${found} plugins, expected ${plugins}`);
  const b = median(base);
  const c = median(cold);
  const w = median(warm);
  return { size, layout, plugins, baselineMs: b, coldMs: c, warmMs: w, coldRatio: c / b, warmRatio: w / b };
}

mkdirSync(work, { recursive: true });
mkdirSync(results, { recursive: true });
const rows = [];
for (const layout of LAYOUTS) {
  for (const size of SIZES) {
    const row = await measure(size, layout);
    rows.push(row);
    console.log(
      `${layout.padEnd(8)} ${String(size).padStart(6)} packages: baseline ${row.baselineMs.toFixed(1)} ms, ` +
        `cold ${row.coldRatio.toFixed(3)}x, warm ${row.warmRatio.toFixed(3)}x`,
    );
  }
}
rmSync(work, { recursive: true, force: true });

const machine = `${cpus()[0]?.model ?? "unknown CPU"} × ${cpus().length}, Node ${process.version}, ${process.platform}`;
const date = new Date().toISOString();
const ok = (r) => (r.coldRatio <= 0.4 && r.warmRatio <= 0.08 ? "yes" : "no");
const md = [
  "## Plugin discovery",
  "",
  "Discovery over synthetic `node_modules` trees (about 1 % plugin packages, 1–3 KB package.json files of",
  "which about 30 % declare no dependencies, a quarter of the packages scoped, one in twenty nested under",
  "another in the hoisted layout; the pnpm layout keeps every package in",
  "`node_modules/.pnpm/<id>/node_modules/<name>` with a tenth linked at the top). Each figure is the median",
  `of ${RUNS} runs (warm: ${RUNS * 2}) divided by the median of the baseline measured in the same run: a bare`,
  "synchronous readdir + readFile + JSON.parse of every package.json. Cold: no cache file (OS caches warm);",
  "warm: a valid cache in `node_modules/.cache/tracelet/`. Targets: cold ≤ 0.4×, warm ≤ 0.08×.",
  "",
  "| layout | packages | plugins | baseline (ms) | cold (ms) | cold ÷ baseline | warm (ms) | warm ÷ baseline | targets met |",
  "|---|---:|---:|---:|---:|---:|---:|---:|---|",
  ...rows.map(
    (r) =>
      `| ${r.layout} | ${r.size} | ${r.plugins} | ${r.baselineMs.toFixed(1)} | ${r.coldMs.toFixed(1)} | ${r.coldRatio.toFixed(3)}× | ${r.warmMs.toFixed(1)} | ${r.warmRatio.toFixed(3)}× | ${ok(r)} |`,
  ),
  "",
  `Machine: ${machine}. Date: ${date}.`,
  "",
].join("\n");
writeFileSync(join(results, "discovery.md"), md);
writeFileSync(join(results, "discovery.json"), `${JSON.stringify({ machine, date, runs: RUNS, rows }, null, 2)}\n`);
console.log(md);
