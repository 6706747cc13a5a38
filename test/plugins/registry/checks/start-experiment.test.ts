import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BackendPlugin, isTraceletError, PluginManager, startExperiment } from "../../../../src/index.js";
import { copyFixture } from "../discovery/project.js";

describe("discovered plugins in startExperiment", () => {
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env.TRACELET_PLUGIN_DIRS;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.TRACELET_PLUGIN_DIRS;
    else process.env.TRACELET_PLUGIN_DIRS = saved;
  });

  it("rejects with the refusal's own code, or PLUGIN_NOT_FOUND for an unknown name", async () => {
    const cwd = await copyFixture("refusals");
    process.env.TRACELET_PLUGIN_DIRS = join(cwd, "no-home");
    for (const [name, code] of [
      ["old", "TRACELET_ERR_ENGINE_INCOMPATIBLE"],
      ["denied", "TRACELET_ERR_PLUGIN_DENIED"],
      ["nobody-has-this", "TRACELET_ERR_PLUGIN_NOT_FOUND"],
    ]) {
      const error = await startExperiment({ cwd, backends: [name!], logLevel: "silent" }).catch((e: unknown) => e);
      expect([name, isTraceletError(error) && error.code]).toEqual([name, code]);
    }
  });

  it("runs a discovered backend", async () => {
    const cwd = await copyFixture("layouts");
    process.env.TRACELET_PLUGIN_DIRS = join(cwd, "no-home");
    const exp = await startExperiment({ cwd, backends: ["alpha"], logLevel: "silent" });
    exp.logMetric("loss", 1, 1);
    const report = await exp.stop();
    expect(report.failures).toEqual([]);
  });

  it("keeps a refused dependency's own code when a hand-registered plugin depends on it", async () => {
    const cwd = await copyFixture("refusals");
    process.env.TRACELET_PLUGIN_DIRS = join(cwd, "no-home");
    class NeedsOld extends BackendPlugin {
      logMetric(): void {}
    }
    const manager = new PluginManager({ cwd });
    manager.registerPlugin(NeedsOld, { name: "needs-old", type: "backend", dependencies: { old: "*" } });
    const error = await startExperiment({ cwd, manager, backends: ["needs-old"], logLevel: "silent" }).catch(
      (e: unknown) => e,
    );
    expect(isTraceletError(error) && error.code).toBe("TRACELET_ERR_ENGINE_INCOMPATIBLE");
    expect(String((error as Error).message)).toContain('"needs-old" depends on plugin "old"');
    manager.registerPlugin(NeedsOld, { name: "needs-ghost", type: "backend", dependencies: { ghost: "*" } });
    const missing = await startExperiment({ cwd, manager, backends: ["needs-ghost"], logLevel: "silent" }).catch(
      (e: unknown) => e,
    );
    expect(isTraceletError(missing) && missing.code).toBe("TRACELET_ERR_DEPENDENCY_MISSING");
  });
});
