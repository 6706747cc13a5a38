import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp-dir.js";
import { writeJson, writePluginPackage } from "../plugins/registry/discovery/project.js";

const SCRIPT = join(ROOT, "test/fixtures/security/start-backend.mjs");

// In a child: on the old code a FIFO froze the process for good. The timeout is only a
// backstop for that freeze, far above what a start takes.
function start(cwd: string, backend: string): { started?: boolean; code?: string; message?: string } {
  const out = spawnSync(process.execPath, [SCRIPT, cwd, backend], {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, TRACELET_PLUGIN_DIRS: join(cwd, "no-home") },
  });
  expect({ status: out.status, signal: out.signal, stderr: out.stderr }).toEqual({
    status: 0,
    signal: null,
    stderr: "",
  });
  return JSON.parse(out.stdout.trim().split("\n").pop() ?? "{}");
}

describe("files read outside the scan never block on a FIFO", () => {
  it("a host package.json that is a FIFO is passed over: startExperiment starts", async () => {
    const cwd = join(await tempDir("tracelet-fifo-host-"), "project");
    mkdirSync(cwd);
    execFileSync("mkfifo", [join(cwd, "package.json")]);
    expect(start(cwd, "jsonl")).toEqual({ started: true });
  });

  it("a configSchema file that is a FIFO refuses that plugin (TRACELET_ERR_SCHEMA_INVALID), without a freeze", async () => {
    const cwd = await tempDir("tracelet-fifo-schema-");
    writeJson(join(cwd, "package.json"), { name: "host", version: "1.0.0" });
    const pkg = join(cwd, "node_modules", "tracelet-plugin-fifo");
    writePluginPackage(pkg, "tracelet-plugin-fifo", "fifo");
    writeJson(join(pkg, "package.json"), {
      name: "tracelet-plugin-fifo",
      version: "1.0.0",
      type: "module",
      tracelet: {
        engine: "^1.0.0",
        plugins: [{ name: "fifo", type: "backend", entry: "./index.js", export: "B", configSchema: "./schema.json" }],
      },
    });
    execFileSync("mkfifo", [join(pkg, "schema.json")]);
    const result = start(cwd, "fifo");
    expect(result.code).toBe("TRACELET_ERR_SCHEMA_INVALID");
    expect(result.message).toContain("schema.json");
  });
});
