import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { definePlugin, PluginManager, type StartExperimentOptions, startExperiment } from "../../../src/index.js";
import { tempDir } from "../../helpers/temp-dir.js";

async function failure(options: StartExperimentOptions): Promise<{ code: string; message: string }> {
  try {
    const exp = await startExperiment({ logLevel: "silent", ...options });
    await exp.stop();
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error("startExperiment did not fail");
}

describe('"did you mean"', () => {
  it("an unknown plugin name suggests the nearest known one (cvs → csv)", async () => {
    const cwd = await tempDir();
    const manager = new PluginManager({ cwd });
    manager.registerPlugin(
      definePlugin({
        name: "csv",
        type: "backend",
        configSchema: { type: "object" },
        setup: () => ({ logMetric() {} }),
      }),
    );
    const error = await failure({ cwd, manager, backends: ["cvs"] });
    expect(error.code).toBe("TRACELET_ERR_PLUGIN_NOT_FOUND");
    expect(error.message).toContain('Did you mean "csv"?');
    const builtin = await failure({ cwd, backends: ["jsnol"] });
    expect(builtin.message).toContain('Did you mean "jsonl"?');
    const far = await failure({ cwd, backends: ["completely-else"] });
    expect(far.message).not.toContain("Did you mean");
  });

  it("an unknown config key suggests the declared one (dirr → dir)", async () => {
    const cwd = await tempDir();
    const error = await failure({ cwd, plugins: { jsonl: { dirr: "x" } } });
    expect(error.code).toBe("TRACELET_ERR_CONFIG_INVALID");
    expect(error.message).toContain('/dirr is not a known option. Did you mean "dir"?');
  });

  it("an enum's error lists its allowed values", async () => {
    const cwd = await tempDir();
    const manager = new PluginManager({ cwd });
    manager.registerPlugin(
      definePlugin({
        name: "modal",
        type: "backend",
        configSchema: { type: "object", properties: { mode: { enum: ["fast", "safe"] } } },
        setup: () => ({ logMetric() {} }),
      }),
    );
    const error = await failure({ cwd, manager, backends: ["modal"], plugins: { modal: { mode: "quick" } } });
    expect(error.code).toBe("TRACELET_ERR_CONFIG_INVALID");
    expect(error.message).toContain('/mode must be one of "fast", "safe"');
  });

  it("a missing export suggests the module's nearest export (CSVBackend → CsvBackend)", async () => {
    const cwd = await tempDir();
    writeFileSync(join(cwd, "package.json"), JSON.stringify({ name: "host", version: "1.0.0", private: true }));
    const pkg = join(cwd, "node_modules", "tracelet-plugin-csv");
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, "index.js"), "export class CsvBackend { logMetric() {} }\n");
    writeFileSync(
      join(pkg, "package.json"),
      JSON.stringify({
        name: "tracelet-plugin-csv",
        version: "1.0.0",
        type: "module",
        tracelet: {
          engine: "^1.0.0",
          plugins: [{ name: "csv", type: "backend", entry: "./index.js", export: "CSVBackend" }],
        },
      }),
    );
    const error = await failure({ cwd, backends: ["csv"] });
    expect(error.code).toBe("TRACELET_ERR_LOAD_FAILED");
    expect(error.message).toContain('has no export "CSVBackend". Did you mean "CsvBackend"?');
  });
});
