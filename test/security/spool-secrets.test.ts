import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BackendPlugin, PluginManager, startExperiment } from "../../src/index.js";
import { tempDir } from "../helpers/temp-dir.js";

const PASS = "hunter2-array-secret";
const TOKEN = "tok-9f8e7d6c5b4a";

/** A backend whose secrets sit under array items and whose start() fails, so its points spool. */
class DownBackend extends BackendPlugin {
  static metadata = {
    name: "down",
    type: "backend" as const,
    configSchema: {
      type: "object",
      properties: {
        accounts: {
          type: "array",
          items: { type: "object", properties: { user: { type: "string" }, pass: { format: "password" } } },
        },
        hosts: { type: "object", additionalProperties: { type: "object", properties: { key: { writeOnly: true } } } },
      },
    },
  };
  override async start(): Promise<void> {
    throw new Error("server down");
  }
  logMetric(): void {}
}

describe("B3: a secret under array items or any-key properties", () => {
  it("never reaches spool/<backend>/backend.json in clear", async () => {
    const cwd = await tempDir();
    const manager = new PluginManager({ cwd });
    manager.registerPlugin(DownBackend);
    const exp = await startExperiment({
      cwd,
      manager,
      project: "p",
      runId: "r1",
      backends: ["down"],
      logLevel: "silent",
      plugins: {
        down: {
          accounts: [
            { user: "alice", pass: PASS },
            { user: "bob", pass: `${PASS}-2` },
          ],
          hosts: { a: { key: TOKEN } },
        },
      },
    });
    for (let i = 0; i < 10; i++) exp.logMetric("m", i, i);
    const report = await exp.stop();
    expect(report.spooled).toEqual({ down: 10 });
    const text = readFileSync(join(exp.runDir, "spool", "down", "backend.json"), "utf8");
    expect(text).not.toContain(PASS);
    expect(text).not.toContain(TOKEN);
    const meta = JSON.parse(text);
    // Non-secret fields are kept, so `tracelet sync` can rebuild the rest of the config.
    expect(meta.config.accounts.map((a: { user: string }) => a.user)).toEqual(["alice", "bob"]);
  });
});
