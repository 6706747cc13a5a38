// Fails on any circular import among src/ modules, and on src/core importing a plugin folder.
// Reads relative `import`/`export ... from` specifiers (type-only imports included: a cycle of
// types is still a design smell worth a look).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const src = resolve(import.meta.dirname, "../src");
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (path.endsWith(".ts")) files.push(path);
  }
};
walk(src);

const graph = new Map();
const problems = [];
for (const file of files) {
  const text = readFileSync(file, "utf8");
  const deps = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["'](\.[^"']+)["']/g)) {
    const target = resolve(dirname(file), m[1].replace(/\.js$/, ".ts"));
    deps.push(target);
    const rel = relative(src, file);
    const relTarget = relative(src, target);
    if (rel.startsWith("core/") && /^(plugins|collectors|backends)\//.test(relTarget)) {
      problems.push(`src/core must not import plugin folders: ${rel} → ${relTarget}`);
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
        .map((f) => relative(src, f));
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
console.log(`check-cycles: ${files.length} modules, no circular imports, src/core imports no plugin folder`);
