// Builds dist/: tsc writes the declarations (and checks the types), esbuild bundles the
// JavaScript. Why bundle: the source is many small modules, and Node's ESM loader pays about a
// millisecond per module at start-up; a run importing ~70 of them spent half its start-up there.
// The three entry points share chunks, and every dynamic import (built-in plugins, CLI commands,
// the systeminformation sampler) stays a separate chunk, so what a run does not use is not loaded.
// Usage: node scripts/build.mjs
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { build } from "esbuild";

const root = resolve(import.meta.dirname, "..");
const dist = resolve(root, "dist");

// Chunk names carry content hashes: old ones must not pile up next to the new.
rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [resolve(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], {
  cwd: root,
  stdio: "inherit",
});

await build({
  absWorkingDir: root,
  entryPoints: ["src/index.ts", "src/testing/index.ts", "src/cli/main.ts"],
  outbase: "src",
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  chunkNames: "chunks/[name]-[hash]",
  // No keepNames: its helper cost ~3 ms at start-up. Classes keep their names unless two
  // collide, which the check below refuses (class names show in stack traces and inspect output).
  sourcemap: true,
  sourcesContent: false,
  logLevel: "warning",
  write: true,
  metafile: true,
}).then((result) => {
  const renamed = [];
  for (const file of Object.keys(result.metafile.outputs).filter((f) => f.endsWith(".js"))) {
    for (const m of readFileSync(resolve(root, file), "utf8").matchAll(/\bclass ([A-Za-z_$]+\d+)\b/g)) {
      renamed.push(`${file}: class ${m[1]}`);
    }
  }
  if (renamed.length > 0) throw new Error(`bundling renamed classes (two share a name):\n${renamed.join("\n")}`);
});
