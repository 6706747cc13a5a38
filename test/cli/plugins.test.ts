import { execFile } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import type { PluginsListing } from "../../src/cli/commands/plugins.js";
import { tempDir } from "../helpers/temp-dir.js";
import { copyFixture, writeJson, writePluginPackage } from "../plugins/registry/discovery/project.js";

const run = promisify(execFile);
const CLI = resolve("dist/cli/main.js");

async function traceletRun(args: string[], home: string): Promise<{ stdout: string; code: number }> {
  try {
    const { stdout } = await run(process.execPath, [CLI, "plugins", ...args], {
      env: { ...process.env, TRACELET_PLUGIN_DIRS: home, TRACELET_LOG_LEVEL: "silent", TRACELET_DISCOVERY_CACHE: "" },
    });
    return { stdout, code: 0 };
  } catch (error) {
    const failed = error as { stdout?: string; code?: number };
    if (typeof failed.code !== "number") throw error;
    return { stdout: failed.stdout ?? "", code: failed.code };
  }
}

async function tracelet(args: string[], home: string) {
  return (await traceletRun(args, home)).stdout;
}

describe("tracelet plugins", () => {
  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error("Build first: npm run build (npm test does).");
  });

  it("--json lists every candidate with its state, refusal code, timing and cache use", async () => {
    const cwd = await copyFixture("refusals");
    const home = join(cwd, "no-home");
    const first = JSON.parse(await tracelet(["--json", "--cwd", cwd], home)) as PluginsListing;
    expect(first.cache).toBe("miss");
    expect(first.root).toBe(cwd);
    expect(typeof first.durationMs).toBe("number");
    const state = (name: string) => first.plugins.find((p) => p.name === name);
    expect(state("jsonl")).toMatchObject({ source: "builtin", state: "available" });
    expect(state("provided")).toMatchObject({ state: "available", packageName: "provider" });
    expect(state("with-schema")).toMatchObject({ hasConfigSchema: true });
    const codes = Object.fromEntries(first.plugins.filter((p) => p.problem).map((p) => [p.name, p.problem?.code]));
    expect(codes).toMatchObject({
      "bad-shape": "TRACELET_ERR_MANIFEST_INVALID",
      escape: "TRACELET_ERR_ENTRY_OUTSIDE_PACKAGE",
      old: "TRACELET_ERR_ENGINE_INCOMPATIBLE",
      needy: "TRACELET_ERR_DEPENDENCY_MISSING",
      picky: "TRACELET_ERR_DEPENDENCY_VERSION",
      "cycle-a": "TRACELET_ERR_DEPENDENCY_CYCLE",
      "req-missing": "TRACELET_ERR_DEPENDENCY_MISSING",
      "req-version": "TRACELET_ERR_DEPENDENCY_VERSION",
      twin: "TRACELET_ERR_DUPLICATE_PLUGIN",
      denied: "TRACELET_ERR_PLUGIN_DENIED",
    });
    expect(first.problems.length).toBeGreaterThanOrEqual(12);
    expect(first.packages.find((p) => p.name === "bad-manifest")).toMatchObject({
      plugins: ["bad-shape"],
      problem: expect.objectContaining({ code: "TRACELET_ERR_MANIFEST_INVALID" }),
    });
    expect(first.packages.find((p) => p.name === "provider")).toMatchObject({
      plugins: ["provided"],
      source: "project",
    });
    const second = JSON.parse(await tracelet(["--json", "--cwd", cwd], home)) as PluginsListing;
    expect(second.cache).toBe("hit");
    expect(second.plugins.map((p) => [p.name, p.state])).toEqual(first.plugins.map((p) => [p.name, p.state]));
  });

  it("shows shadowed user-level plugins with their reason, and says whether the cache was used", async () => {
    const cwd = await copyFixture("user-level");
    const home = join(cwd, "home-plugins");
    const doc = JSON.parse(await tracelet(["--json", "--cwd", cwd], home)) as PluginsListing;
    const shadowed = doc.plugins.filter((p) => p.state === "shadowed");
    expect(shadowed).toEqual([
      expect.objectContaining({
        name: "shared",
        source: "user",
        problem: expect.objectContaining({ code: "TRACELET_ERR_DUPLICATE_PLUGIN" }),
      }),
    ]);
    const text = await tracelet(["--cwd", cwd], home);
    expect(text).toMatch(/shadowed\s+backend\s+shared/);
    expect(text).toContain('TRACELET_ERR_DUPLICATE_PLUGIN: Plugin "shared"');
    expect(text).toMatch(/discovery [\d.]+ ms over \d+ package\(s\), cache used/);
  });

  it("exits 1 when it reports problems, 0 when there are none", async () => {
    const refusals = await copyFixture("refusals");
    expect((await traceletRun(["--json", "--cwd", refusals], join(refusals, "no-home"))).code).toBe(1);
    const clean = await cleanProject();
    const { stdout, code } = await traceletRun(["--cwd", clean], join(clean, "no-home"));
    expect([code, stdout]).toEqual([0, expect.stringContaining("0 problem(s)")]);
  });

  it("checks each entry's export without running it: ES module, CommonJS, re-exports", async () => {
    const cwd = await cleanProject();
    const modules = join(cwd, "node_modules");
    // A module that would leave a file behind if it were run.
    const trap = `require("node:fs").writeFileSync(${JSON.stringify(join(cwd, "ran"))}, "x");\n`;
    plugin(modules, "esm-missing", "esm-missing", "./index.js", "Gone", "export class Here {}\n");
    plugin(modules, "no-entry", "no-entry", "./dist/nowhere.js", "B");
    plugin(modules, "cjs-ok", "cjs-ok", "./index.cjs", "CjsBackend", `${trap}exports.CjsBackend = class {};\n`);
    plugin(modules, "cjs-missing", "cjs-missing", "./index.cjs", "Other", `${trap}module.exports.Some = 1;\n`);
    plugin(modules, "star", "star", "./index.js", "Deep", 'export * from "./inner.js";\n');
    writeFileSync(join(modules, "star", "inner.js"), "export class Deep {}\n");
    plugin(
      modules,
      "cjs-reexport",
      "cjs-reexport",
      "./index.cjs",
      "Inner",
      'module.exports = require("./inner.cjs");\n',
    );
    writeFileSync(join(modules, "cjs-reexport", "inner.cjs"), "exports.Inner = class {};\n");
    const { stdout, code } = await traceletRun(["--json", "--cwd", cwd], join(cwd, "no-home"));
    const doc = JSON.parse(stdout) as PluginsListing;
    const states = Object.fromEntries(doc.plugins.filter((p) => p.source === "project").map((p) => [p.name, p.state]));
    expect(states).toEqual({
      ok: "available",
      "esm-missing": "refused",
      "no-entry": "refused",
      "cjs-ok": "available",
      "cjs-missing": "refused",
      star: "available",
      "cjs-reexport": "available",
    });
    const messages = doc.problems.map((p) => `${p.code} ${p.pluginName}: ${p.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^TRACELET_ERR_LOAD_FAILED esm-missing: .*has no export "Gone" \(it exports "Here"\)/),
        expect.stringMatching(/^TRACELET_ERR_LOAD_FAILED no-entry: .*entry .*nowhere\.js is missing/),
        expect.stringMatching(/^TRACELET_ERR_LOAD_FAILED cjs-missing: .*has no export "Other"/),
      ]),
    );
    expect(doc.problems).toHaveLength(3);
    expect(code).toBe(1);
    expect(existsSync(join(cwd, "ran"))).toBe(false);
  });

  it("says which cache mode was used and why the cache was rebuilt", async () => {
    const cwd = await cleanProject();
    const home = join(cwd, "no-home");
    expect(JSON.parse(await tracelet(["--json", "--cwd", cwd], home))).toMatchObject({
      cache: "miss",
      cacheMode: "default",
      cacheReason: "no cache yet",
    });
    writeFileSync(join(cwd, "package-lock.json"), "{}");
    const text = await tracelet(["--cwd", cwd], home);
    expect(text).toContain("cache rebuilt (default mode): package-lock.json changed");
    expect(JSON.parse(await tracelet(["--json", "--strict", "--cwd", cwd], home))).toMatchObject({
      cache: "hit",
      cacheMode: "strict",
    });
    expect(JSON.parse(await tracelet(["--json", "--no-cache", "--cwd", cwd], home))).toMatchObject({
      cache: "off",
      cacheMode: "off",
    });
  });
});

function plugin(modules: string, dir: string, name: string, entry: string, exportName: string, source?: string) {
  writeJson(join(modules, dir, "package.json"), {
    name: dir,
    version: "1.0.0",
    tracelet: { engine: "^1.0.0", plugins: [{ name, type: "backend", entry, export: exportName }] },
  });
  if (source !== undefined) writeFileSync(join(modules, dir, entry), source);
}

// A project with one sound plugin package (ES module, its export present).
async function cleanProject(): Promise<string> {
  const cwd = await tempDir("tracelet-cli-plugins-");
  writeJson(join(cwd, "package.json"), { name: "host", version: "1.0.0" });
  writePluginPackage(join(cwd, "node_modules", "ok"), "ok", "ok");
  return cwd;
}
