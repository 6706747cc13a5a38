// One measurement of bench/discovery, in a process of its own (each side pays what a user's
// fresh process pays: nothing warmed, modules loaded on first use). Prints one JSON line.
// Usage: node measure.mjs <side> <project root> <layout> [list file]
//   side: baseline | discover-default | discover-strict | discover-off | stat-floor | read-floor
import {
  closeSync,
  constants,
  existsSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
} from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [side, root, layout, listFile] = process.argv.slice(2);

// The bare scan a user could write: readdir, then readFile + JSON.parse of every package.json.
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

// The least any scan that reads every package.json must do, the floor of a cold discovery: list
// each folder; open, read (into one reused buffer) and close each package.json; in a hoisted tree,
// probe each package for a nested node_modules. No parsing, no bookkeeping, no cache.
const floorBuffer = Buffer.allocUnsafe(64 * 1024);
const READ_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;
function readOnce(dir) {
  let fd;
  try {
    fd = openSync(`${dir}/package.json`, READ_FLAGS);
  } catch {
    return 0;
  }
  readSync(fd, floorBuffer, 0, floorBuffer.length, 0);
  closeSync(fd);
  return 1;
}

function floorHoisted(dir) {
  let n = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const name = entry.name;
    if (name.startsWith(".")) continue;
    const path = `${dir}/${name}`;
    if (name.startsWith("@")) n += floorHoisted(path);
    else if (entry.isDirectory()) {
      n += readOnce(path);
      if (lstatSync(`${path}/node_modules`, { throwIfNoEntry: false })) n += floorHoisted(`${path}/node_modules`);
    }
  }
  return n;
}

// pnpm: the store entry's name tells where its package lies (`<id>/node_modules/<name>`).
function floorPnpm(store) {
  let n = 0;
  for (const id of readdirSync(store, { withFileTypes: true })) {
    if (!id.isDirectory() || id.name === "node_modules" || id.name.startsWith(".")) continue;
    const at = id.name.indexOf("@", 1);
    n += readOnce(`${store}/${id.name}/node_modules/${id.name.slice(0, at).replace("+", "/")}`);
  }
  return n;
}

async function timed(fn) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = await fn();
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000, value };
}

let out;
if (side === "baseline") {
  const modules = join(root, "node_modules");
  const t = await timed(() => (layout === "pnpm" ? baselinePnpm(join(modules, ".pnpm")) : baselineHoisted(modules)));
  out = { ms: t.ms, cpuMs: t.cpuMs, packages: t.value };
} else if (side === "read-floor") {
  const modules = join(root, "node_modules");
  const t = await timed(() => {
    if (layout !== "pnpm") return floorHoisted(modules);
    readdirSync(modules, { withFileTypes: true });
    return floorPnpm(join(modules, ".pnpm"));
  });
  out = { ms: t.ms, cpuMs: t.cpuMs, packages: t.value };
} else if (side === "stat-floor") {
  const files = readFileSync(listFile, "utf8").split("\n").filter(Boolean);
  const t = await timed(() => {
    for (const file of files) statSync(file);
    return files.length;
  });
  out = { ms: t.ms, cpuMs: t.cpuMs, packages: t.value };
} else {
  const imported = await timed(() => import(pathToFileURL(join(import.meta.dirname, "../../dist/index.js")).href));
  const { PluginManager } = imported.value;
  const manager = new PluginManager({ cwd: root, builtins: false });
  const cache = side.slice("discover-".length);
  const t = await timed(() => manager.discoverPlugins({ userPluginDirs: [], cache }));
  const report = t.value;
  out = {
    ms: t.ms,
    cpuMs: t.cpuMs,
    importMs: imported.ms,
    cache: report.cache,
    cacheReason: report.cacheReason,
    packages: report.packagesScanned,
    plugins: report.plugins.filter((p) => p.state === "available").map((p) => p.name),
    problems: report.problems.length,
  };
}
console.log(JSON.stringify(out));
