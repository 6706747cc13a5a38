import { describe, expect, it } from "vitest";
import { createLogger, PluginManager } from "../../src/index.js";
import { instantiate } from "../../src/plugins/instantiate.js";

const logger = createLogger({ level: "silent" });

describe("a bare PluginManager", () => {
  it("knows the built-in plugins without registerBuiltins", async () => {
    const manager = new PluginManager({ logger });
    expect(manager.getPlugin("backend", "jsonl")?.state).toBe("available");
    for (const name of ["system", "process", "git", "environment"])
      expect(manager.getPlugin("collector", name)?.source, name).toBe("builtin");
    const jsonl = await instantiate(manager.resolve("jsonl", "backend"));
    expect(typeof (jsonl as { logMetric?: unknown }).logMetric).toBe("function");
  });

  it("knows none of them with builtins: false", () => {
    const manager = new PluginManager({ logger, builtins: false });
    expect(manager.getPlugin("backend", "jsonl")).toBeUndefined();
    expect(manager.listPlugins()).toEqual([]);
  });
});
