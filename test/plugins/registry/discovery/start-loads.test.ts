import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../../helpers/temp-dir.js";
import { copyFixture } from "./project.js";

const dist = join(import.meta.dirname, "../../../../dist/index.js");

// A module hook that logs every specifier resolved, into a file the script marks before the call.
const hooks = `
  import { appendFileSync } from "node:fs";
  let log;
  export function initialize(data) { log = data.log; }
  export async function resolve(specifier, context, next) {
    appendFileSync(log, specifier + "\\n");
    return next(specifier, context);
  }
`;

// Runs one discovery in a fresh process (from dist/: build first) and returns its cache state and
// every module specifier resolved during the call itself (the import of Tracelet excluded), and
// whether semver was loaded (its CommonJS files land in require's cache).
async function discoveryInFreshProcess(cwd: string): Promise<{ cache: string; resolved: string[]; semver: boolean }> {
  const log = join(await tempDir(), "resolved.log");
  writeFileSync(log, "");
  const script = `
    import { createRequire, register } from "node:module";
    import { appendFileSync } from "node:fs";
    const [cwd, log] = process.argv.slice(1);
    register("data:text/javascript," + encodeURIComponent(${JSON.stringify(hooks)}), { data: { log } });
    const { PluginManager } = await import(${JSON.stringify(dist)});
    appendFileSync(log, "--- call\\n");
    const report = await new PluginManager({ cwd, builtins: false }).discoverPlugins({ userPluginDirs: [] });
    const semver = Object.keys(createRequire(import.meta.url).cache).some((p) => p.includes("/semver/"));
    console.log(JSON.stringify({ cache: report.cache, plugins: report.plugins.length, semver }));
  `;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script, cwd, log], { encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as {
    cache: string;
    plugins: number;
    semver: boolean;
  };
  const { cache, plugins, semver } = out;
  expect(plugins).toBeGreaterThan(0);
  const lines = readFileSync(log, "utf8").split("\n").filter(Boolean);
  return { cache, resolved: lines.slice(lines.indexOf("--- call") + 1), semver };
}

describe("what a discovery loads, in a fresh process", () => {
  it("a start with a valid cache loads no module at all; a scan loads the scan's chunk, not semver", async () => {
    const cwd = await copyFixture("layouts");
    const cold = await discoveryInFreshProcess(cwd);
    expect(cold.cache).toBe("miss");
    expect(cold.resolved.some((s) => /discover-fresh-/.test(s))).toBe(true);
    // Every range in these manifests is plain (`^1.0.0`): semver is not needed to check them.
    expect(cold.semver).toBe(false);
    const warm = await discoveryInFreshProcess(cwd);
    expect(warm).toEqual({ cache: "hit", resolved: [], semver: false });
  });
});
