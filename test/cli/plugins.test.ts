import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import type { PluginsListing } from "../../src/cli/commands/plugins.js";
import { copyFixture } from "../plugins/discovery/project.js";

const run = promisify(execFile);
const CLI = resolve("dist/cli/main.js");

async function tracelet(args: string[], home: string) {
  const { stdout } = await run(process.execPath, [CLI, "plugins", ...args], {
    env: { ...process.env, TRACELET_PLUGIN_DIRS: home, TRACELET_LOG_LEVEL: "silent" },
  });
  return stdout;
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
});
