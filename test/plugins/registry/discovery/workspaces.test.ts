import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../../helpers/temp-dir.js";
import { discoverIn, writeJson, writePluginPackage } from "./project.js";

/** A workspace `dir` (relative to `root`) with one plugin installed in its own node_modules. */
function workspace(root: string, dir: string, plugin: string, manifest = true): void {
  if (manifest) writeJson(join(root, dir, "package.json"), { name: dir.replaceAll("/", "-"), version: "1.0.0" });
  else mkdirSync(join(root, dir), { recursive: true });
  writePluginPackage(join(root, dir, "node_modules", `tracelet-plugin-${plugin}`), `tracelet-plugin-${plugin}`, plugin);
}

async function project(workspaces: unknown): Promise<string> {
  const root = await tempDir("tracelet-workspaces-");
  writeJson(join(root, "package.json"), { name: "mono", version: "1.0.0", private: true, workspaces });
  mkdirSync(join(root, "node_modules"));
  return root;
}

const found = async (root: string) => (await discoverIn(root)).report.plugins.map((p) => p.name).sort();

describe("npm/yarn workspace globs", () => {
  it("reads ** as any depth, skipping dot-folders, folders without package.json and node_modules", async () => {
    const root = await project(["packages/**"]);
    workspace(root, "packages/core", "core");
    workspace(root, "packages/group/deep", "deep");
    workspace(root, "packages/group/deeper/still/here", "deepest");
    workspace(root, "packages/.hidden", "hidden");
    workspace(root, "packages/no-manifest", "no-manifest", false);
    // Below a workspace's node_modules lie dependencies, never workspaces: `sub` would be one
    // (it has a package.json) if ** went into node_modules.
    writeJson(join(root, "packages/core/node_modules/some-dep/package.json"), { name: "some-dep" });
    workspace(root, "packages/core/node_modules/some-dep/sub", "inside-dep");
    expect(await found(root)).toEqual(["core", "deep", "deepest"]);
  });

  it("drops workspaces a ! pattern matches, wherever the pattern stands; !! is a plain pattern", async () => {
    const root = await project(["!packages/legacy", "packages/*", "!packages/old-*", "!!tools/kept", "extra"]);
    workspace(root, "packages/app", "app");
    workspace(root, "packages/legacy", "legacy");
    workspace(root, "packages/old-one", "old-one");
    workspace(root, "tools/kept", "kept");
    workspace(root, "extra", "extra");
    expect(await found(root)).toEqual(["app", "extra", "kept"]);
  });

  it("excludes a whole subtree with !dir/**, and expands {a,b} and ?", async () => {
    const root = await project({ packages: ["./apps/**", "!apps/archive/**", "tools/{lint,build}", "libs/v?"] });
    workspace(root, "apps/web", "web");
    workspace(root, "apps/archive", "archived");
    workspace(root, "apps/archive/deep", "archived-deep");
    workspace(root, "tools/lint", "lint");
    workspace(root, "tools/build", "build");
    workspace(root, "tools/other", "other");
    workspace(root, "libs/v1", "v1");
    workspace(root, "libs/v10", "v10");
    expect(await found(root)).toEqual(["build", "lint", "v1", "web"]);
  });

  it("notices a workspace added deep under ** once the cache is warm", async () => {
    const root = await project(["packages/**"]);
    workspace(root, "packages/group/a", "a");
    expect((await discoverIn(root)).report.cache).toBe("miss");
    expect((await discoverIn(root)).report.cache).toBe("hit");
    workspace(root, "packages/group/b/c", "c");
    const { report } = await discoverIn(root);
    expect(report.cache).toBe("rebuilt");
    expect(report.plugins.map((p) => p.name).sort()).toEqual(["a", "c"]);
  });
});
