// Builds dist/: tsc writes the declarations (and checks the types), esbuild bundles the
// JavaScript. Why bundle: the source is many small modules, and Node's ESM loader pays for every
// file at start-up; a run importing ~70 of them spent half its start-up there.
// Every dynamic import (built-in plugins, discovery, the systeminformation sampler) stays a
// separate chunk, so what a run does not use is not loaded. Three builds, not one with three
// entry points: esbuild puts every module two entry points share in a chunk of its own, and each
// file costs the loader about 0.3 ms (a run loaded 21 files, 11 now).
// - dist/index.js: the library.
// - dist/testing/index.js: imports the library through "../index.js" (its source imports only
//   the public API), so a test's MemoryBackend and the run share one copy of the library.
// - dist/cli/main.js: a program, not a library: it bundles its own copy. Plugins it loads import
//   "tracelet" (dist/index.js); nothing relies on class identity across copies (errors carry a
//   Symbol.for brand, plugins are checked by shape), as with a nested copy in node_modules.
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

const common = {
  absWorkingDir: root,
  outbase: "src",
  outdir: "dist",
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  // No keepNames: its helper cost ~3 ms at start-up. Classes keep their names unless two
  // collide, which the check below refuses (class names show in stack traces and inspect output).
  sourcemap: true,
  sourcesContent: false,
  logLevel: "warning",
  write: true,
  metafile: true,
};

// The testing entry's only runtime import of the library: kept as an import of dist/index.js.
const libraryEntry = {
  name: "library-entry",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/index\.js$/ }, (args) =>
      args.importer.startsWith(resolve(root, "src/testing")) ? { path: "../index.js", external: true } : undefined,
    );
  },
};

const results = await Promise.all([
  build({ ...common, entryPoints: ["src/index.ts"], splitting: true, chunkNames: "chunks/[name]-[hash]" }),
  build({ ...common, entryPoints: ["src/testing/index.ts"], plugins: [libraryEntry] }),
  build({ ...common, entryPoints: ["src/cli/main.ts"], splitting: true, chunkNames: "cli/chunks/[name]-[hash]" }),
]);
// The testing build must hold src/testing only: anything else would be a second copy of the library.
const strays = Object.keys(results[1].metafile.inputs).filter((f) => !f.startsWith("src/testing/"));
if (strays.length > 0)
  throw new Error(`dist/testing bundles library modules (import them from "../index.js"):\n${strays.join("\n")}`);
const renamed = [];
for (const file of results.flatMap((r) => Object.keys(r.metafile.outputs)).filter((f) => f.endsWith(".js"))) {
  for (const m of readFileSync(resolve(root, file), "utf8").matchAll(/\bclass ([A-Za-z_$]+\d+)\b/g)) {
    renamed.push(`${file}: class ${m[1]}`);
  }
}
if (renamed.length > 0) throw new Error(`bundling renamed classes (two share a name):\n${renamed.join("\n")}`);

// - dist/viewer/page.{js,css}: the `tracelet ui` / `tracelet report` page, for the browser, with
//   uPlot bundled in: the page requests nothing but its own server (a report nothing at all).
await build({
  absWorkingDir: root,
  entryPoints: { page: "src/viewer/page/main.ts" },
  outdir: "dist/viewer",
  bundle: true,
  format: "iife",
  platform: "browser",
  target: "es2022",
  minify: true,
  legalComments: "none",
  logLevel: "warning",
});
