import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CACHE_PATH } from "../../../../src/plugins/registry/discovery/discover.js";
import { copyFixture, discoverIn, writeJson, writePluginPackage } from "./project.js";

async function warmProject(name = "layouts") {
  const cwd = await copyFixture(name);
  const first = await discoverIn(cwd);
  expect(first.report.cache).toBe("miss");
  const second = await discoverIn(cwd);
  expect(second.report.cache).toBe("hit");
  expect(second.report.plugins.map((p) => p.name)).toEqual(first.report.plugins.map((p) => p.name));
  return cwd;
}

const names = async (cwd: string, dirs: string[] = []) => {
  const { report } = await discoverIn(cwd, dirs);
  return { cache: report.cache, names: report.plugins.map((p) => p.name).sort(), report };
};

describe("discovery cache", () => {
  it("notices an added package, top level, scoped and nested", async () => {
    const cwd = await warmProject();
    writePluginPackage(join(cwd, "node_modules", "tracelet-plugin-new"), "tracelet-plugin-new", "new-one");
    expect(await names(cwd)).toMatchObject({ cache: "rebuilt", names: expect.arrayContaining(["new-one"]) });
    writePluginPackage(join(cwd, "node_modules", "@acme", "tracelet-more"), "@acme/tracelet-more", "more");
    expect(await names(cwd)).toMatchObject({ cache: "rebuilt", names: expect.arrayContaining(["more"]) });
    const nested = join(cwd, "node_modules", "some-lib", "node_modules", "tracelet-plugin-deeper");
    writePluginPackage(nested, "tracelet-plugin-deeper", "deeper");
    expect(await names(cwd)).toMatchObject({ cache: "rebuilt", names: expect.arrayContaining(["deeper"]) });
    expect((await names(cwd)).cache).toBe("hit");
  });

  it("notices a removed package", async () => {
    const cwd = await warmProject();
    rmSync(join(cwd, "node_modules", "@acme", "tracelet-gpu"), { recursive: true });
    const after = await names(cwd);
    expect(after.cache).toBe("rebuilt");
    expect(after.names).not.toContain("@acme/gpu");
  });

  it("notices an upgrade, whether the directory is replaced or package.json rewritten in place", async () => {
    const cwd = await warmProject();
    const dir = join(cwd, "node_modules", "tracelet-plugin-alpha");
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    const staged = join(cwd, "node_modules", ".staging-alpha");
    mkdirSync(staged);
    writeJson(join(staged, "package.json"), { ...pkg, version: "1.3.0" });
    renameSync(dir, join(cwd, "old-alpha"));
    renameSync(staged, dir);
    let after = await discoverIn(cwd);
    expect(after.report.cache).toBe("rebuilt");
    expect(after.manager.getPlugin("backend", "alpha")?.packageVersion).toBe("1.3.0");

    // Same size, same directory: only the file's own signature changes.
    writeJson(join(dir, "package.json"), { ...pkg, version: "1.4.0" });
    after = await discoverIn(cwd);
    expect(after.report.cache).toBe("rebuilt");
    expect(after.manager.getPlugin("backend", "alpha")?.packageVersion).toBe("1.4.0");
  });

  it("notices an edited manifest (engine) and an edited schema file", async () => {
    const cwd = await warmProject("refusals");
    const file = join(cwd, "node_modules", "provider", "package.json");
    writeFileSync(file, readFileSync(file, "utf8").replace('"^1.0.0"', '"^9.0.0"'));
    const after = await discoverIn(cwd);
    expect(after.report.cache).toBe("rebuilt");
    expect(after.manager.getPlugin("backend", "provided")?.problem?.code).toBe("TRACELET_ERR_ENGINE_INCOMPATIBLE");

    writeJson(join(cwd, "node_modules", "schema-file", "schema.json"), { type: "object", required: ["token"] });
    const edited = await discoverIn(cwd);
    expect(edited.manager.getPlugin("backend", "with-schema")?.configSchema).toEqual({
      type: "object",
      required: ["token"],
    });
  });

  it("notices switching or touching lockfiles", async () => {
    const cwd = await warmProject();
    writeFileSync(join(cwd, "package-lock.json"), "{}");
    expect((await names(cwd)).cache).toBe("rebuilt");
    expect((await names(cwd)).cache).toBe("hit");
    rmSync(join(cwd, "package-lock.json"));
    writeFileSync(join(cwd, "pnpm-lock.yaml"), "lockfileVersion: '9.0'\n");
    expect((await names(cwd)).cache).toBe("rebuilt");
    writeFileSync(join(cwd, "node_modules", ".package-lock.json"), "{}");
    expect((await names(cwd)).cache).toBe("rebuilt");
  });

  it("notices a cache written by another Tracelet version", async () => {
    const cwd = await warmProject();
    const file = join(cwd, CACHE_PATH);
    const cache = JSON.parse(readFileSync(file, "utf8"));
    cache.key.version = "0.9.0";
    writeFileSync(file, JSON.stringify(cache));
    expect((await names(cwd)).cache).toBe("rebuilt");
    expect((await names(cwd)).cache).toBe("hit");
  });

  it("ignores and rebuilds corrupt or foreign cache files", async () => {
    const cwd = await warmProject();
    const file = join(cwd, CACHE_PATH);
    const valid = readFileSync(file, "utf8");
    const bad = [
      "not json at all",
      valid.slice(0, valid.length / 2),
      JSON.stringify({ format: "someone-else/3", data: [] }),
      JSON.stringify({ ...JSON.parse(valid), entries: [{}] }),
      "null",
    ];
    for (const content of bad) {
      writeFileSync(file, content);
      const after = await names(cwd);
      expect([content.slice(0, 20), after.cache]).toEqual([content.slice(0, 20), "rebuilt"]);
      expect(after.names).toEqual(["@acme/gpu", "alpha", "alpha-metrics", "nested"]);
    }
  });

  it("notices a user-level location appearing later, and another user-level list", async () => {
    const cwd = await copyFixture("layouts");
    const home = join(cwd, "..", `${cwd.split("/").pop()}-home`);
    try {
      expect((await names(cwd, [home])).cache).toBe("miss");
      expect((await names(cwd, [home])).cache).toBe("hit");
      writePluginPackage(join(home, "tracelet-plugin-mine"), "tracelet-plugin-mine", "mine");
      expect(await names(cwd, [home])).toMatchObject({ cache: "rebuilt", names: expect.arrayContaining(["mine"]) });
      expect((await names(cwd, [])).cache).toBe("rebuilt");
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
