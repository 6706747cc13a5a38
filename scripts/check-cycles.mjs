// Fails on any circular import among src/ modules, and on imports that cross the layers the
// wrong way (docs/architecture.md):
// - src/core imports nothing outside src/core (no plugin folder, no composition root);
// - the registry and the authoring API (src/plugins/**) import no built-in (src/backends,
//   src/collectors) and not the composition root (src/builtins.ts, src/plugin-manager.ts):
//   built-ins are handed to the registry, never fetched by it.
// Reads relative `import`/`export ... from` specifiers and dynamic `import("...")` (type-only
// imports included: a cycle of types is still a design smell worth a look). Dynamic imports
// count for the layer rules, not for cycles (they are how a module loads another lazily).
// Usage: node scripts/check-cycles.mjs [--src DIR]   (test/scripts/check-cycles.test.ts runs it
// on trees with violations)
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

const at = process.argv.indexOf("--src");
const src = resolve(at > 0 ? process.argv[at + 1] : resolve(import.meta.dirname, "../src"));
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (path.endsWith(".ts")) files.push(path);
  }
};
walk(src);

const STATIC = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["'](\.[^"']+)["']/g;
const DYNAMIC = /\bimport\s*\(\s*["'](\.[^"']+)["']\s*\)/g;
const BUILTIN = /^(collectors|backends)\//;
const ROOT = /^(builtins|plugin-manager)\.ts$/;

// Which layer rule an import from `from` to `to` (paths relative to src/, with "/") breaks.
function layerProblem(from, to) {
  if (from.startsWith("core/") && !to.startsWith("core/")) return `src/core must import only src/core: ${from} → ${to}`;
  if (from.startsWith("plugins/") && (BUILTIN.test(to) || ROOT.test(to)))
    return `the registry and authoring API must not import built-ins or the composition root: ${from} → ${to}`;
  return undefined;
}

const rel = (f) => relative(src, f).split(sep).join("/");
const graph = new Map();
const problems = [];
for (const file of files) {
  const text = readFileSync(file, "utf8");
  const deps = [];
  for (const [pattern, dynamic] of [
    [STATIC, false],
    [DYNAMIC, true],
  ]) {
    for (const m of text.matchAll(pattern)) {
      const target = resolve(dirname(file), m[1].replace(/\.js$/, ".ts"));
      if (!dynamic) deps.push(target);
      const problem = layerProblem(rel(file), rel(target));
      if (problem) problems.push(dynamic ? `${problem} (dynamic import)` : problem);
    }
  }
  graph.set(file, deps);
}

const state = new Map();
const stack = [];
const visit = (file) => {
  state.set(file, "visiting");
  stack.push(file);
  for (const dep of graph.get(file) ?? []) {
    if (!graph.has(dep)) continue;
    if (state.get(dep) === "visiting") {
      const cycle = stack
        .slice(stack.indexOf(dep))
        .concat(dep)
        .map((f) => rel(f));
      problems.push(`circular import: ${cycle.join(" → ")}`);
    } else if (!state.has(dep)) visit(dep);
  }
  stack.pop();
  state.set(file, "done");
};
for (const file of files) if (!state.has(file)) visit(file);

if (problems.length > 0) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
console.log(
  `check-cycles: ${files.length} modules, no circular imports, src/core imports only src/core, the registry imports no built-in`,
);
