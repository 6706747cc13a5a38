import { describe, expect, it } from "vitest";
import { createLogger } from "../../../src/core/logger.js";
import { isTraceletError, PluginManager, startExperiment } from "../../../src/index.js";
import { instantiate } from "../../../src/plugins/registry/instantiate.js";
import { tempDir } from "../../helpers/temp-dir.js";

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

describe("startExperiment and a manager without built-ins", () => {
  it("does not add the built-ins back to a manager created with builtins: false", async () => {
    const manager = new PluginManager({ builtins: false });
    const error = await startExperiment({ cwd: await tempDir(), manager, logLevel: "silent" }).catch((e: unknown) => e);
    expect(isTraceletError(error) && error.code).toBe("TRACELET_ERR_PLUGIN_NOT_FOUND");
    expect(manager.getPlugin("backend", "jsonl")).toBeUndefined();
  });
});
