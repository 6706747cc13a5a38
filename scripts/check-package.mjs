// Checks the package as users get it: publint and attw on the packed tarball, then installs the
// tarball into an empty project and uses it from ESM, from CommonJS and through `npx tracelet`.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const run = (cmd, args, cwd = root) => {
  console.log(`$ ${cmd} ${args.join(" ")}`);
  return execFileSync(cmd, args, { cwd, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
};

const scratch = mkdtempSync(join(tmpdir(), "tracelet-pack-"));
try {
  const packed = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", scratch]));
  const tarball = join(scratch, packed[0].filename);
  console.log(`packed ${packed[0].filename}: ${packed[0].entryCount} files, ${packed[0].size} bytes`);
  console.log(run("npx", ["publint", "--strict", root]));
  console.log(run("npx", ["attw", tarball, "--profile", "esm-only"]));

  const project = join(scratch, "consumer");
  run("mkdir", ["-p", project]);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
  run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball], project);
  const esm = run(
    "node",
    [
      "--input-type=module",
      "-e",
      'import { startExperiment, TRACELET_VERSION } from "tracelet"; console.log(typeof startExperiment, TRACELET_VERSION);',
    ],
    project,
  );
  if (!esm.startsWith("function 1.")) throw new Error(`ESM import failed: ${esm}`);
  const cjs = run(
    "node",
    ["-e", 'const t = require("tracelet"); console.log(typeof t.startExperiment, typeof t.PluginManager);'],
    project,
  );
  if (!cjs.startsWith("function function")) throw new Error(`CommonJS require failed: ${cjs}`);
  const testing = run(
    "node",
    [
      "--input-type=module",
      "-e",
      'import { MemoryBackend } from "tracelet/testing"; console.log(typeof MemoryBackend);',
    ],
    project,
  );
  if (!testing.startsWith("function")) throw new Error(`tracelet/testing import failed: ${testing}`);
  const demo = run("npx", ["--no-install", "tracelet", "demo", "--fast"], project);
  if (!demo.includes("Results are in")) throw new Error(`npx tracelet demo failed:\n${demo}`);
  console.log("package check: publint, attw, ESM import, CommonJS require, tracelet/testing, npx tracelet demo: ok");
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
