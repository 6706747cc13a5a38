import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { PluginRecord } from "../../../../src/index.js";
import { copyFixture, discoverIn, link, managerFor, writeJson, writePluginPackage } from "./project.js";

const byName = (plugins: PluginRecord[], name: string) => plugins.filter((p) => p.name === name);

describe("discovery layouts", () => {
  it("finds hoisted, scoped and nested plugins, and skips packages without a tracelet field", async () => {
    const cwd = await copyFixture("layouts");
    const { report, manager } = await discoverIn(join(cwd, "src"));
    expect(report.root).toBe(cwd);
    expect(report.problems).toEqual([]);
    const names = report.plugins.map((p) => p.name).sort();
    expect(names).toEqual(["@acme/gpu", "alpha", "alpha-metrics", "nested"]);
    const alpha = manager.getPlugin("backend", "alpha")!;
    expect(alpha).toMatchObject({
      state: "available",
      source: "project",
      packageName: "tracelet-plugin-alpha",
      version: "1.2.0",
      description: "Alpha backend",
      author: "Ada",
      entry: "./index.js",
      export: "AlphaBackend",
      path: join(cwd, "node_modules", "tracelet-plugin-alpha"),
    });
    expect(manager.getPlugin("collector", "alpha-metrics")?.description).toBe("two plugins, one module");
    expect(manager.getPlugin("collector", "@acme/gpu")?.packageName).toBe("@acme/tracelet-gpu");
    expect(manager.getPlugin("backend", "nested")?.path).toBe(
      join(cwd, "node_modules", "some-lib", "node_modules", "tracelet-plugin-nested"),
    );
    expect(manager.listPlugins("collector").map((p) => p.name)).toEqual(
      expect.arrayContaining(["@acme/gpu", "alpha-metrics"]),
    );
  });

  it("imports a module once even when it exports several plugins", async () => {
    const cwd = await copyFixture("layouts");
    const { manager } = await discoverIn(cwd);
    const g = globalThis as { __traceletAlphaImports?: number };
    g.__traceletAlphaImports = 0;
    const backend = await manager.getPlugin("backend", "alpha")!.load();
    const collector = await manager.getPlugin("collector", "alpha-metrics")!.load();
    expect(backend.name).toBe("AlphaBackend");
    expect(collector.name).toBe("AlphaCollector");
    expect(g.__traceletAlphaImports).toBe(1);
  });

  it("reads pnpm's store behind symlinks, each real package once", async () => {
    const cwd = await copyFixture("layouts");
    rmSync(join(cwd, "node_modules"), { recursive: true });
    const store = join(cwd, "node_modules", ".pnpm");
    const p = join(store, "tracelet-plugin-p@1.0.0", "node_modules", "tracelet-plugin-p");
    writePluginPackage(p, "tracelet-plugin-p", "p", {});
    writeJson(join(p, "package.json"), {
      name: "tracelet-plugin-p",
      version: "1.0.0",
      tracelet: {
        engine: "^1.0.0",
        plugins: [{ name: "p", type: "backend", entry: "./index.js", export: "B", requires: { "dep-x": "^1.0.0" } }],
      },
    });
    const q = join(store, "@acme+tracelet-q@2.0.0_peer@1.0.0", "node_modules", "@acme", "tracelet-q");
    writePluginPackage(q, "@acme/tracelet-q", "q");
    const depX = join(store, "dep-x@1.0.0", "node_modules", "dep-x");
    writeJson(join(depX, "package.json"), { name: "dep-x", version: "1.4.0" });
    link(depX, join(store, "tracelet-plugin-p@1.0.0", "node_modules", "dep-x"));
    // An id whose name cannot be read (e.g. a hashed long id) is listed instead.
    writePluginPackage(join(store, "hashed0123456789", "node_modules", "tracelet-plugin-h"), "tracelet-plugin-h", "h");
    link(p, join(cwd, "node_modules", "tracelet-plugin-p"));
    link(q, join(cwd, "node_modules", "@acme", "tracelet-q"));
    const { report } = await discoverIn(cwd);
    expect(report.problems).toEqual([]);
    expect(byName(report.plugins, "p")).toHaveLength(1);
    expect(byName(report.plugins, "p")[0]).toMatchObject({ state: "available", path: p });
    expect(byName(report.plugins, "q")).toHaveLength(1);
    expect(byName(report.plugins, "q")[0]).toMatchObject({ path: q, packageName: "@acme/tracelet-q" });
    expect(byName(report.plugins, "h")).toHaveLength(1);
    expect(report.plugins).toHaveLength(3);
  });

  it("scans npm workspaces: the root's and each workspace's node_modules, linked workspace packages", async () => {
    const cwd = await copyFixture("workspaces");
    link(join(cwd, "packages", "app"), join(cwd, "node_modules", "ws-app"));
    link(join(cwd, "packages", "local-plugin"), join(cwd, "node_modules", "local-plugin"));
    const { report } = await discoverIn(cwd);
    expect(report.problems).toEqual([]);
    expect(report.plugins.map((p) => p.name).sort()).toEqual(["local", "ws"]);
    expect(byName(report.plugins, "local")[0]?.path).toBe(join(cwd, "packages", "local-plugin"));
  });

  it("follows npm-linked packages outside the project", async () => {
    const cwd = await copyFixture("layouts");
    const outside = join(cwd, "..", `${cwd.split("/").pop()}-linked`);
    writePluginPackage(outside, "tracelet-plugin-linked", "linked");
    // The linked package's own dev dependencies are not the project's.
    writePluginPackage(join(outside, "node_modules", "its-dev-dep"), "its-dev-dep", "dev-only");
    link(outside, join(cwd, "node_modules", "tracelet-plugin-linked"));
    try {
      const { report } = await discoverIn(cwd);
      expect(byName(report.plugins, "linked")[0]).toMatchObject({ state: "available", path: outside });
      expect(byName(report.plugins, "dev-only")).toHaveLength(0);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it("lets a project plugin shadow a user-level one; adds host pluginDirs and TRACELET_PLUGIN_DIRS", async () => {
    const cwd = await copyFixture("user-level");
    const { report, manager } = await discoverIn(cwd, [join(cwd, "home-plugins")]);
    const shared = byName(report.plugins, "shared");
    expect(shared.map((p) => [p.source, p.state])).toEqual([
      ["project", "available"],
      ["user", "shadowed"],
    ]);
    expect(shared[1]?.problem?.code).toBe("TRACELET_ERR_DUPLICATE_PLUGIN");
    expect(shared[1]?.problem?.message).toContain("tracelet-plugin-shared@2.0.0");
    expect(report.problems).toEqual([]);
    expect(manager.resolve("shared", "backend").packageVersion).toBe("2.0.0");
    expect(manager.getPlugin("backend", "only-user")).toMatchObject({ source: "user", state: "available" });
    expect(manager.getPlugin("backend", "extra")).toMatchObject({ source: "user", state: "available" });

    const saved = process.env.TRACELET_PLUGIN_DIRS;
    process.env.TRACELET_PLUGIN_DIRS = join(cwd, "home-plugins");
    try {
      const manager = managerFor(cwd);
      await manager.discoverPlugins();
      expect(manager.getPlugin("backend", "only-user")?.state).toBe("available");
    } finally {
      if (saved === undefined) delete process.env.TRACELET_PLUGIN_DIRS;
      else process.env.TRACELET_PLUGIN_DIRS = saved;
    }
  });

  it("prefers a hoisted package over a nested one of the same plugin name, whatever their names", async () => {
    const cwd = await copyFixture("layouts");
    writePluginPackage(join(cwd, "node_modules", "zz-hoisted"), "zz-hoisted", "nested");
    const { report, manager } = await discoverIn(cwd);
    expect(manager.resolve("nested", "backend").packageName).toBe("zz-hoisted");
    const loser = report.plugins.find((p) => p.name === "nested" && p.state === "refused");
    expect(loser?.packageName).toBe("tracelet-plugin-nested");
    expect(loser?.problem?.message).toContain("zz-hoisted");
    expect(loser?.problem?.message).toContain("tracelet-plugin-nested");
  });

  it("works in a project with no node_modules at all", async () => {
    const cwd = await copyFixture("layouts");
    rmSync(join(cwd, "node_modules"), { recursive: true });
    mkdirSync(join(cwd, "empty"));
    const { report } = await discoverIn(join(cwd, "empty"));
    expect(report).toMatchObject({ plugins: [], problems: [], cache: "off" });
  });
});
