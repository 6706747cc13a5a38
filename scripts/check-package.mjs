// Checks the package as users get it: publint and attw on the packed tarball, then installs the
// tarball into an empty project and uses it from ESM, from CommonJS and through `npx tracelet`.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const run = (cmd, args, cwd = root) => {
  console.log(`$ ${cmd} ${args.join(" ")}`);
  return execFileSync(cmd, args, { cwd, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
};

const scratch = mkdtempSync(join(tmpdir(), "tracelet-pack-"));
try {
  // dist/ is built by `npm test` before this check; prepack would build it a second time.
  const packed = JSON.parse(run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", scratch]));
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const installScripts = ["preinstall", "install", "postinstall", "prepare"].filter((s) => manifest.scripts?.[s]);
  if (installScripts.length > 0)
    throw new Error(`install-time script(s) in package.json: ${installScripts.join(", ")}`);
  const tarball = join(scratch, packed[0].filename);
  console.log(`packed ${packed[0].filename}: ${packed[0].entryCount} files, ${packed[0].size} bytes`);
  console.log(run("npx", ["publint", "--strict", root]));
  console.log(run("npx", ["attw", tarball, "--profile", "esm-only"]));

  const project = join(scratch, "consumer");
  run("mkdir", ["-p", project]);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
  console.log(`$ npm install ${tarball}`);
  const install = spawnSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball], {
    cwd: project,
    encoding: "utf8",
  });
  if (install.status !== 0) throw new Error(`npm install of the tarball failed:\n${install.stderr}`);
  // A user installing Tracelet must see no warning caused by this package (an install script, a
  // peer dependency it cannot meet, a deprecated dependency it pulls in).
  const warnings = install.stderr.split("\n").filter((l) => /npm (warn|WARN)|tracelet@/.test(l));
  if (warnings.length > 0) throw new Error(`npm install of the tarball warned:\n${warnings.join("\n")}`);
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

  // A fresh clone's `npm install` must leave package-lock.json as committed (the README's set-up
  // leaves `git status` clean): resolving the lockfile again from package.json changes nothing.
  const clone = join(scratch, "clone");
  run("mkdir", ["-p", clone]);
  for (const file of ["package.json", "package-lock.json"])
    writeFileSync(join(clone, file), readFileSync(join(root, file)));
  run(
    "npm",
    ["install", "--package-lock-only", "--ignore-scripts", "--prefer-offline", "--no-audit", "--no-fund"],
    clone,
  );
  if (readFileSync(join(clone, "package-lock.json"), "utf8") !== readFileSync(join(root, "package-lock.json"), "utf8"))
    throw new Error("npm install changes package-lock.json: run `npm install` and commit the lockfile");
  console.log(
    "package check: publint, attw, a quiet install, ESM import, CommonJS require, tracelet/testing, npx tracelet demo, a stable lockfile: ok",
  );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
