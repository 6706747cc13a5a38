import { describe, expect, it } from "vitest";
import type { PluginMetadata } from "../../../../src/index.js";
import { copyFixture, managerFor } from "./project.js";

class StaticAlpha {
  static metadata: PluginMetadata = { name: "alpha", type: "backend", version: "9.0.0" };
  logMetric(): void {}
}

class OldStyle {
  getMetadata(): PluginMetadata {
    return { name: "old-style", type: "collector" };
  }
  collect() {
    return {};
  }
}

describe("registry", () => {
  it("keeps hand-registered plugins next to discovered ones; a registered one shadows a discovered namesake", async () => {
    const cwd = await copyFixture("layouts");
    const manager = managerFor(cwd);
    manager.registerPlugin(StaticAlpha as never);
    manager.registerPlugin(OldStyle as never);
    const report = await manager.discoverPlugins({ userPluginDirs: [] });
    expect(manager.getPlugin("backend", "alpha")).toMatchObject({ source: "registered", version: "9.0.0" });
    expect(report.plugins.find((p) => p.name === "alpha")).toMatchObject({
      state: "shadowed",
      problem: expect.objectContaining({ code: "TRACELET_ERR_DUPLICATE_PLUGIN" }),
    });
    expect(manager.getPlugin("collector", "old-style")?.source).toBe("registered");
    expect(manager.listPlugins().map((p) => `${p.source}:${p.name}`)).toEqual(
      expect.arrayContaining(["registered:alpha", "registered:old-style", "project:nested", "project:@acme/gpu"]),
    );
    // Rediscovery replaces discovered plugins and keeps registered ones.
    await manager.discoverPlugins({ userPluginDirs: [] });
    expect(manager.listPlugins().filter((p) => p.name === "alpha")).toHaveLength(2);
  });
});
