import { symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { registerBuiltins } from "../../../../src/builtins.js";
import { type ErrorCode, isTraceletError, type PluginRecord } from "../../../../src/index.js";
import { instantiate } from "../../../../src/plugins/registry/instantiate.js";
import { copyFixture, managerFor } from "../discovery/project.js";

async function refusals() {
  const cwd = await copyFixture("refusals");
  const outside = join(cwd, "node_modules", "symlink-escape");
  writeFileSync(join(cwd, "outside.js"), "export class B { logMetric() {} }\n");
  const { writePluginPackage } = await import("../discovery/project.js");
  writePluginPackage(outside, "symlink-escape", "sneaky");
  symlinkSync(join(cwd, "outside.js"), join(outside, "index.js.link"));
  const { writeJson } = await import("../discovery/project.js");
  writeJson(join(outside, "package.json"), {
    name: "symlink-escape",
    version: "1.0.0",
    tracelet: {
      engine: "^1.0.0",
      plugins: [{ name: "sneaky", type: "backend", entry: "./index.js.link", export: "B" }],
    },
  });
  const manager = managerFor(cwd);
  registerBuiltins(manager);
  const report = await manager.discoverPlugins({ userPluginDirs: [] });
  return { cwd, manager, report };
}

const codeOf = (plugins: PluginRecord[], name: string) => plugins.find((p) => p.name === name)?.problem?.code;

function expectThrowsCode(fn: () => unknown, code: ErrorCode): void {
  try {
    fn();
  } catch (error) {
    expect(isTraceletError(error) && error.code).toBe(code);
    return;
  }
  throw new Error(`expected ${code}`);
}

describe("compatibility checks", () => {
  it("refuses each bad plugin with its own code, and resolve() throws that code", async () => {
    const { manager, report } = await refusals();
    const expected: Array<[string, ErrorCode]> = [
      ["bad-shape", "TRACELET_ERR_MANIFEST_INVALID"],
      ["escape", "TRACELET_ERR_ENTRY_OUTSIDE_PACKAGE"],
      ["sneaky", "TRACELET_ERR_ENTRY_OUTSIDE_PACKAGE"],
      ["schema-out", "TRACELET_ERR_ENTRY_OUTSIDE_PACKAGE"],
      ["old", "TRACELET_ERR_ENGINE_INCOMPATIBLE"],
      ["needy", "TRACELET_ERR_DEPENDENCY_MISSING"],
      ["picky", "TRACELET_ERR_DEPENDENCY_VERSION"],
      ["cycle-a", "TRACELET_ERR_DEPENDENCY_CYCLE"],
      ["cycle-b", "TRACELET_ERR_DEPENDENCY_CYCLE"],
      ["cycle-c", "TRACELET_ERR_DEPENDENCY_CYCLE"],
      ["on-cycle", "TRACELET_ERR_DEPENDENCY_MISSING"],
      ["req-missing", "TRACELET_ERR_DEPENDENCY_MISSING"],
      ["req-version", "TRACELET_ERR_DEPENDENCY_VERSION"],
      ["denied", "TRACELET_ERR_PLUGIN_DENIED"],
    ];
    for (const [name, code] of expected) {
      expect([name, codeOf(report.plugins, name)]).toEqual([name, code]);
      expect(
        report.problems.some((p) => p.code === code && (p.pluginName === name || p.pluginName === undefined)),
      ).toBe(true);
      expectThrowsCode(() => manager.resolve(name, "backend"), code);
    }
    expectThrowsCode(() => manager.resolve("no-such-plugin", "backend"), "TRACELET_ERR_PLUGIN_NOT_FOUND");
    for (const name of ["provided", "content", "req-ok", "with-schema", "no-export", "not-class"]) {
      expect([name, manager.getPlugin("backend", name)?.state]).toEqual([name, "available"]);
    }
  });

  it("names the whole cycle and both packages of a duplicate", async () => {
    const { report } = await refusals();
    const cycle = report.problems.find((p) => p.code === "TRACELET_ERR_DEPENDENCY_CYCLE");
    expect(cycle?.message).toContain("cycle-a → cycle-b → cycle-c → cycle-a");
    const twins = report.plugins.filter((p) => p.name === "twin");
    expect(twins.map((p) => [p.packageName, p.state])).toEqual([
      ["dup-one", "available"],
      ["dup-two", "refused"],
    ]);
    const dup = report.problems.find((p) => p.code === "TRACELET_ERR_DUPLICATE_PLUGIN");
    expect(dup?.message).toContain("dup-one");
    expect(dup?.message).toContain("dup-two");
  });

  it("loads config schemas from files inside the package", async () => {
    const { manager } = await refusals();
    expect(manager.getPlugin("backend", "with-schema")?.configSchema).toMatchObject({ required: ["url"] });
  });

  it("fails activation with TRACELET_ERR_LOAD_FAILED for a missing export or a non-class", async () => {
    const { manager } = await refusals();
    for (const name of ["no-export", "not-class"]) {
      const error = await instantiate(manager.resolve(name, "backend")).catch((e: unknown) => e);
      expect(isTraceletError(error) && error.code).toBe("TRACELET_ERR_LOAD_FAILED");
    }
    const ok = await instantiate(manager.resolve("provided", "backend"));
    expect(ok).toBeTruthy();
  });
});
