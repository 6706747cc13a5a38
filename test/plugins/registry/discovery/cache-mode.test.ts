import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startExperiment } from "../../../../src/index.js";
import { copyFixture, discoverIn, managerFor } from "./project.js";

// A non-plugin package edited by hand, in place, to declare a plugin this Tracelet refuses:
// default mode keeps the cache (the plugin stays unknown), strict mode notices it.
async function handEdited(userPluginDirs?: string[]): Promise<string> {
  const cwd = await copyFixture("layouts");
  expect((await managerFor(cwd).discoverPlugins({ userPluginDirs })).cache).toBe("miss");
  const file = join(cwd, "node_modules", "plain-lib", "package.json");
  const pkg = JSON.parse(readFileSync(file, "utf8"));
  const tracelet = { engine: "^9.0.0", plugins: [{ name: "hand-made", type: "backend", entry: "./index.js" }] };
  writeFileSync(file, JSON.stringify({ ...pkg, tracelet }));
  return cwd;
}

const start = (cwd: string, extra: Record<string, unknown> = {}) =>
  startExperiment({ cwd, backends: ["hand-made"], manager: managerFor(cwd), ...extra });

describe("discovery cache mode", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("startExperiment takes discovery: { cache: 'strict' }", async () => {
    // startExperiment looks in the user-level locations of the environment.
    vi.stubEnv("TRACELET_PLUGIN_DIRS", "/nonexistent/tracelet-plugins");
    const cwd = await handEdited(undefined);
    await expect(start(cwd)).rejects.toMatchObject({ code: "TRACELET_ERR_PLUGIN_NOT_FOUND" });
    await expect(start(cwd, { discovery: { cache: "strict" } })).rejects.toMatchObject({
      code: "TRACELET_ERR_ENGINE_INCOMPATIBLE",
    });
  });

  it("TRACELET_DISCOVERY_CACHE=strict and =off", async () => {
    const cwd = await handEdited([]);
    vi.stubEnv("TRACELET_DISCOVERY_CACHE", "strict");
    expect((await discoverIn(cwd)).report).toMatchObject({ cache: "rebuilt", cacheMode: "strict" });
    vi.stubEnv("TRACELET_DISCOVERY_CACHE", "off");
    expect((await discoverIn(cwd)).report).toMatchObject({ cache: "off", cacheMode: "off" });
    // An explicit mode wins over the environment.
    expect((await discoverIn(cwd, [], "default")).report).toMatchObject({ cache: "hit", cacheMode: "default" });
  });

  it("refuses an unknown discovery option", async () => {
    const cwd = await copyFixture("layouts");
    await expect(start(cwd, { discovery: { cache: "sometimes" } })).rejects.toMatchObject({
      code: "TRACELET_ERR_OPTION_INVALID",
    });
  });
});
