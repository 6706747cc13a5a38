import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/core/logger.js";
import { definePlugin, PluginManager, startExperiment } from "../../src/index.js";
import { tempDir } from "../helpers/temp-dir.js";

const Broken = definePlugin({
  name: "broken",
  type: "backend",
  configSchema: { type: "object" },
  setup: () => ({
    logMetric() {},
    start() {
      throw new Error("disk on fire");
    },
  }),
});

describe("a plugin failure carries its cause", () => {
  it("in status(), in stop().failures and in the debug log: the thrown message and stack", async () => {
    const cwd = await tempDir();
    const chunks: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, done) {
        chunks.push(chunk.toString());
        done();
      },
    });
    const manager = new PluginManager({ cwd });
    manager.registerPlugin(Broken);
    const exp = await startExperiment({
      cwd,
      manager,
      backends: ["jsonl", "broken"],
      logger: createLogger({ level: "debug", destination }),
    });
    const last = exp.status().plugins.find((p) => p.name === "broken")?.lastError;
    expect(last).toMatchObject({ code: "TRACELET_ERR_HOOK_FAILED", hook: "start", cause: { message: "disk on fire" } });
    expect(last?.cause?.stack).toMatch(/Error: disk on fire\n\s+at /);
    const { failures } = await exp.stop();
    const failure = failures.find((f) => f.plugin === "broken");
    expect(failure?.cause?.message).toBe("disk on fire");
    expect(failure?.cause?.stack).toContain("disk on fire");
    const debug = chunks
      .join("")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .find((l) => l.level === 20 && l.plugin === "broken" && l.err);
    expect(debug?.err).toMatchObject({ message: "disk on fire" });
    expect(debug?.err.stack).toContain("disk on fire");
  });
});
