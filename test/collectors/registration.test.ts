import { describe, expect, it } from "vitest";
import { BUILTIN_PLUGINS, registerBuiltins } from "../../src/builtins.js";
import { PluginManager } from "../../src/plugin-manager.js";

describe("built-in collector registration", () => {
  it("registers system, process, git and environment as lazy collectors with schemas", async () => {
    const manager = new PluginManager({ cwd: process.cwd() });
    registerBuiltins(manager);
    for (const name of ["system", "process", "git", "environment"]) {
      const record = manager.getPlugin("collector", name);
      expect(record, name).toBeDefined();
      expect(record?.configSchema, name).toMatchObject({ properties: { intervalMs: { minimum: 100 } } });
    }
    const system = BUILTIN_PLUGINS.find((p) => p.metadata.name === "system");
    const cls = await system?.load();
    expect(cls?.name).toBe("SystemCollector");
  });
});
