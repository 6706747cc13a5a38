// Discovery benchmark, measured as a user pays it: every figure comes from a fresh `node`
// process (bench/discovery/measure.mjs) that times one call, first call, nothing warmed; the
// import of Tracelet is timed apart. Each figure is a ratio to a baseline measured in the same
// run, in fresh processes too: a bare readdir + readFile + JSON.parse of every package.json of
// the same tree. Trees: synthetic hoisted (npm) and pnpm trees of 1k, 5k and 20k packages, and
// a real one installed from the npm registry (bench/discovery/real-tree.mjs).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateProject } from "./generate.mjs";
import { ensureRealTree, REAL_TREE_PLUGINS } from "./real-tree.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const work = join(here, "..", ".work", "discovery");
const results = join(here, "..", "results");
const SIZES = (process.env.BENCH_SIZES ?? "1000,5000,20000").split(",").map(Number);
const LAYOUTS = ["hoisted", "pnpm"];
const ROUNDS = Number(process.env.BENCH_RUNS ?? 7);
const REAL = process.env.BENCH_REAL !== "0";

// Every package.json of a tree (for the stat floor: a bare statSync of each, the least that a
// warm check noticing every in-place edit must do).
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

function measure(side, root, layout, list) {
  const args = [join(here, "measure.mjs"), side, root, layout];
  if (list) args.push(list);
  return JSON.parse(execFileSync(process.execPath, args, { encoding: "utf8" }).trim().split("\n").pop());
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function expectState(result, cache, what) {
  if (result.cache !== cache)
    throw new Error(`${what}: expected cache ${cache}, got ${result.cache} (${result.cacheReason})`);
}

function bench(name, root, layout, plugins) {
  const cacheDir = join(root, "node_modules", ".cache", "tracelet");
  const list = join(work, `${name}.files`);
  mkdirSync(work, { recursive: true });
  const files = packageJsonFiles(join(root, "node_modules"));
  writeFileSync(list, files.join("\n"));
  const sides = { baseline: [], cold: [], warm: [], strict: [], floor: [], readFloor: [] };
  let found;
  for (let r = 0; r < ROUNDS; r++) {
    // Each round: every side once, in its own process, in a rotating order.
    const order = ["baseline", "cold", "warm", "strict", "floor", "readFloor"];
    for (let k = 0; k < r % order.length; k++) order.push(order.shift());
    for (const side of order) {
      if (side === "baseline") sides.baseline.push(measure("baseline", root, layout));
      else if (side === "floor") sides.floor.push(measure("stat-floor", root, layout, list));
      else if (side === "readFloor") sides.readFloor.push(measure("read-floor", root, layout));
      else if (side === "cold") {
        rmSync(cacheDir, { recursive: true, force: true });
        const cold = measure("discover-default", root, layout);
        expectState(cold, "miss", `${name} cold`);
        found = cold;
        sides.cold.push(cold);
      } else {
        // A valid cache, written by an untimed process first.
        const prime = measure("discover-default", root, layout);
        if (prime.cache !== "hit" && prime.cache !== "miss") expectState(prime, "hit", `${name} prime`);
        const warm = measure(side === "warm" ? "discover-default" : "discover-strict", root, layout);
        expectState(warm, "hit", `${name} ${side}`);
        sides[side].push(warm);
      }
    }
  }
  const base = sides.baseline[0].packages;
  if (plugins !== undefined && found.plugins.length !== plugins.length) {
    throw new Error(`${name}: found plugins ${found.plugins.join(", ")}, expected ${plugins.join(", ")}`);
  }
  if (found.problems !== 0) throw new Error(`${name}: ${found.problems} problem(s) reported`);
  const b = median(sides.baseline.map((s) => s.ms));
  const bCpu = median(sides.baseline.map((s) => s.cpuMs));
  const fig = (side) => ({
    ms: median(sides[side].map((s) => s.ms)),
    ratio: median(sides[side].map((s) => s.ms)) / b,
    cpuRatio: median(sides[side].map((s) => s.cpuMs)) / bCpu,
  });
  return {
    name,
    layout,
    packages: base,
    scanned: found.packages,
    plugins: found.plugins.length,
    baselineMs: b,
    importMs: median([...sides.cold, ...sides.warm].map((s) => s.importMs)),
    cold: fig("cold"),
    warm: fig("warm"),
    strict: fig("strict"),
    floor: fig("floor"),
    readFloor: fig("readFloor"),
  };
}

const rows = [];
const x = (v) => `${v.toFixed(3)}×`;
const say = (r) =>
  console.log(
    `${r.name.padEnd(14)} ${String(r.packages).padStart(6)} pkgs: baseline ${r.baselineMs.toFixed(1)} ms, cold ${x(r.cold.ratio)}, ` +
      `warm ${x(r.warm.ratio)}, strict ${x(r.strict.ratio)}, stat floor ${x(r.floor.ratio)}, read floor ${x(r.readFloor.ratio)} ` +
      `(import ${r.importMs.toFixed(1)} ms)`,
  );
for (const layout of LAYOUTS) {
  for (const size of SIZES) {
    const root = join(work, `${layout}-${size}`);
    const { plugins } = generateProject(root, { count: size, layout });
    const row = bench(`${layout} ${size / 1000}k`, root, layout, undefined);
    if (row.plugins !== plugins) throw new Error(`${row.name}: found ${row.plugins} plugins, expected ${plugins}`);
    rows.push({ ...row, kind: "synthetic" });
    say(row);
  }
}
if (REAL) {
  const root = ensureRealTree();
  const row = bench("real tree", root, "hoisted", REAL_TREE_PLUGINS);
  rows.push({ ...row, kind: "real" });
  say(row);
}
rmSync(work, { recursive: true, force: true });

const machine = `${cpus()[0]?.model ?? "unknown CPU"} × ${cpus().length}, Node ${process.version}, ${process.platform}`;
const date = new Date().toISOString();
const met = (v, target) => (v <= target ? "yes" : "**no**");
const targets = (r) => (r.kind === "real" ? { cold: 0.5, warm: 0.1 } : { cold: 0.4, warm: 0.08 });
const md = [
  "## Plugin discovery",
  "",
  "What a user pays: every figure is one call of `manager.discoverPlugins()` timed in a fresh `node` process",
  "(`bench/discovery/measure.mjs`: first call, nothing warmed; the import of Tracelet is timed apart and not",
  "included). The baseline, also one fresh process per measurement, is a bare synchronous readdir + readFile +",
  "JSON.parse of every package.json of the same tree. The OS file cache is warm for every side.",
  `Each figure is the median of ${ROUNDS} rounds; each round runs every side once, in a rotating order.`,
  "",
  "- **cold**: no cache file. **warm**: a valid cache, default mode (checks lockfiles and install state files,",
  "  every node_modules and scope directory scanned, and the plugin packages' own files).",
  "  **strict**: a valid cache, strict mode (also one `stat` of every package.json).",
  "  **stat floor**: a bare `statSync` of every package.json, the least any check noticing an in-place edit",
  "  of any package.json must do. **read floor**: the least any scan that reads every package.json must do",
  "  (`read-floor` in measure.mjs): list each folder; open, read into one reused buffer and close each",
  "  package.json; in a hoisted tree, one `lstat` per package for a nested `node_modules`. Nothing parsed,",
  "  nothing recorded, no cache, nothing loaded.",
  "- Synthetic trees (`bench/discovery/generate.mjs`): about 1 % plugin packages; realistic 1–3 KB package.json",
  "  files; a quarter scoped; hoisted (npm) with one package in twenty nested, or pnpm's",
  "  `node_modules/.pnpm/<id>/node_modules/<name>` with a tenth linked at the top level. Targets: cold ≤ 0.4×,",
  "  warm ≤ 0.08×.",
  "- Real tree (`bench/discovery/real-tree/`): a Docusaurus site with its tooling, installed from the npm",
  "  registry by `npm ci` (pinned lockfile), plus two plugin packages; discovery must find exactly those two with",
  "  no problem. Targets: cold ≤ 0.5×, warm ≤ 0.1×.",
  "",
  "The machine is shared (2 cores, other jobs running: see the load average below), so single figures",
  "swing; the CPU-time ratios are the steadier guide.",
  "",
  "Where the time goes (CPU profiles and `strace -c` of single fresh-process calls): a warm call loads no",
  "module (the cache check ships in the library's own file), reads one JSON file, and compares numeric",
  "signatures with one `stat` per recorded lockfile, directory and plugin file (about 130 at 1k hoisted",
  "packages, 190 on the real tree); Node 20 builds a `Stats` object with four `Date`s for each, which is most",
  "of what remains. A cold call loads the scan's chunk (about 3 ms: semver loads only for a version or",
  "range other than a plain `X.Y.Z`, `^X.Y.Z`, `~X.Y.Z` or `>=X.Y.Z`, zlib only for Plug'n'Play archives),",
  "then spends most of its time in four system calls per package: open, read and close of its package.json,",
  "and in hoisted trees an lstat for a nested `node_modules` (a pnpm top-level link costs one readlink: the",
  "store path it points at is the one the store walk reads). Timed per package in a steady loop over the",
  "hoisted 5k tree on this machine: open 4.9 µs, read 3.1, close 2.2, the lstat 6.6, about 17 µs in all;",
  "the baseline's readFileSync 17.5 µs, JSON.parse 7.3 and existsSync 3.8, about 29 µs before its path joins.",
  "The read floor column times exactly those calls in a fresh process, nothing else. On hoisted trees it lies",
  "near 0.4× itself, and on the real tree near 0.5×, so there no scan that reads every package.json (nothing",
  "else marks a plugin) has room left for the rest of a cold call: loading the chunk, checking each plugin,",
  "writing the cache file and garbage collection, which put cold 10–40 ms above the floor up to 5k packages,",
  "and more on the 20k trees. Measured without gain:",
  "reads on libuv's thread pool (a callback per open, read and close costs the main thread more than the",
  "synchronous call: 2–2.5× slower in all), a worker thread (65–80 ms to start here), existsSync instead of",
  "lstat for the nested probe (no difference over a whole scan).",
  "",
  "| tree | packages | plugins | baseline (ms) | cold (ms) | cold ÷ baseline | read floor ÷ baseline | warm (ms) | warm ÷ baseline | strict ÷ baseline | stat floor ÷ baseline | cold ÷ baseline, CPU | warm ÷ baseline, CPU | import (ms) | cold target | warm target |",
  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
  ...rows.map((r) => {
    const t = targets(r);
    return `| ${r.name} | ${r.packages} | ${r.plugins} | ${r.baselineMs.toFixed(1)} | ${r.cold.ms.toFixed(1)} | ${x(r.cold.ratio)} | ${x(r.readFloor.ratio)} | ${r.warm.ms.toFixed(2)} | ${x(r.warm.ratio)} | ${x(r.strict.ratio)} | ${x(r.floor.ratio)} | ${x(r.cold.cpuRatio)} | ${x(r.warm.cpuRatio)} | ${r.importMs.toFixed(1)} | ≤ ${t.cold}×: ${met(r.cold.ratio, t.cold)} | ≤ ${t.warm}×: ${met(r.warm.ratio, t.warm)} |`;
  }),
  "",
  `Machine: ${machine}. Load average at the end: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(", ")}. Date: ${date}.`,
  "",
].join("\n");
mkdirSync(results, { recursive: true });
writeFileSync(join(results, "discovery.md"), md);
writeFileSync(join(results, "discovery.json"), `${JSON.stringify({ machine, date, rounds: ROUNDS, rows }, null, 2)}\n`);
console.log(md);
