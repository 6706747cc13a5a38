import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp-dir.js";
import { writeJson, writePluginPackage } from "../plugins/registry/discovery/project.js";

const SCRIPT = join(ROOT, "test/fixtures/security/start-backend.mjs");

/** A project whose package `tracelet-plugin-req` declares backend "req" requiring `requires`. */
async function projectRequiring(requires: Record<string, string>): Promise<string> {
  const cwd = await tempDir("tracelet-requires-");
  writeJson(join(cwd, "package.json"), { name: "host", version: "1.0.0" });
  writePluginPackage(join(cwd, "node_modules", "tracelet-plugin-req"), "tracelet-plugin-req", "req");
  // writePluginPackage has no `requires`: rewrite the manifest with it.
  writeJson(join(cwd, "node_modules", "tracelet-plugin-req", "package.json"), {
    name: "tracelet-plugin-req",
    version: "1.0.0",
    type: "module",
    tracelet: {
      engine: "^1.0.0",
      plugins: [{ name: "req", type: "backend", entry: "./index.js", export: "B", requires }],
    },
  });
  return cwd;
}

// In a child: on the old code a FIFO froze the process and /dev/zero aborted it. The timeout is
// only a backstop for that freeze, far above what a start takes.
function start(cwd: string): { started?: boolean; code?: string; message?: string } {
  const out = spawnSync(process.execPath, [SCRIPT, cwd, "req"], {
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

describe("B7: the files read to resolve `requires`", () => {
  it("a required package whose package.json is a FIFO does not freeze startExperiment: it is not installed", async () => {
    const cwd = await projectRequiring({ dep: "^1.0.0" });
    mkdirSync(join(cwd, "node_modules", "dep"));
    execFileSync("mkfifo", [join(cwd, "node_modules", "dep", "package.json")]);
    expect(start(cwd)).toMatchObject({ code: "TRACELET_ERR_DEPENDENCY_MISSING" });
  });

  it("a required package whose package.json links to /dev/zero does not crash: it is not installed", async () => {
    const cwd = await projectRequiring({ dep: "^1.0.0" });
    mkdirSync(join(cwd, "node_modules", "dep"));
    symlinkSync("/dev/zero", join(cwd, "node_modules", "dep", "package.json"));
    expect(start(cwd)).toMatchObject({ code: "TRACELET_ERR_DEPENDENCY_MISSING" });
  });

  it("a `requires` name with ../.. is refused as not an npm name, and the file it points at is never read", async () => {
    const cwd = await projectRequiring({ "../../outside": ">=1.0.0" });
    // What `node_modules/../../outside/package.json` reaches from the plugin's directory.
    writeJson(join(cwd, "node_modules", "outside", "package.json"), { name: "outside", version: "1.0.0" });
    const result = start(cwd);
    expect(result).toMatchObject({ code: "TRACELET_ERR_MANIFEST_INVALID" });
    expect(result.message).toContain("not a valid npm package name");
  });

  it("still resolves a real, valid required package (scoped and unscoped)", async () => {
    const cwd = await projectRequiring({ dep: "^1.0.0", "@scope/Old_Name": "2.x" });
    writeJson(join(cwd, "node_modules", "dep", "package.json"), { name: "dep", version: "1.2.3" });
    writeJson(join(cwd, "node_modules", "@scope", "Old_Name", "package.json"), {
      name: "@scope/Old_Name",
      version: "2.0.0",
    });
    expect(start(cwd)).toEqual({ started: true });
  });
});
