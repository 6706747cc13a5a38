import { execFile } from "node:child_process";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain ES module of the bench, without types
import { ensureRealTree, REAL_TREE_PLUGINS } from "../../../../bench/discovery/real-tree.mjs";
import type { PluginsListing } from "../../../../src/cli/commands/plugins.js";
import { discoverIn } from "./project.js";

// A real dependency tree (a Docusaurus site with its tooling, 1,545 packages pinned by
// bench/discovery/real-tree/package-lock.json, installed from the npm registry once into
// bench/.work/real-tree) with two plugin packages added: discovery finds exactly those two,
// and reports no problem for any of the other packages.

const exec = promisify(execFile);
let root: string;

describe("discovery on a real-world tree", () => {
  beforeAll(() => {
    root = ensureRealTree() as string;
  }, 1_200_000);

  it("finds exactly the two plugins, with no problem, cold and from the cache", { timeout: 120_000 }, async () => {
    for (const [mode, cache] of [
      ["off", "off"],
      ["default", undefined],
      ["strict", undefined],
    ] as const) {
      const { report } = await discoverIn(root, [], mode);
      if (cache) expect(report.cache).toBe(cache);
      const discovered = report.plugins.filter((p) => p.source === "project");
      expect(discovered.map((p) => [p.name, p.state]).sort()).toEqual(
        (REAL_TREE_PLUGINS as string[]).map((n) => [n, "available"]),
      );
      expect(report.problems).toEqual([]);
      expect(report.packages.map((p) => p.name).sort()).toEqual([
        "@docs-site/tracelet-build-timer",
        "tracelet-plugin-docs-metrics",
      ]);
      expect(report.packagesScanned).toBeGreaterThanOrEqual(1_500);
    }
    expect((await discoverIn(root)).report.cache).toBe("hit");
  });

  it("tracelet plugins --json agrees and exits 0 (each entry's export checked)", { timeout: 120_000 }, async () => {
    const { stdout } = await exec(process.execPath, [resolve("dist/cli/main.js"), "plugins", "--json", "--cwd", root], {
      env: { ...process.env, TRACELET_PLUGIN_DIRS: join(root, "no-home"), TRACELET_LOG_LEVEL: "silent" },
    });
    const doc = JSON.parse(stdout) as PluginsListing;
    expect(doc.problems).toEqual([]);
    expect(
      doc.plugins
        .filter((p) => p.source === "project")
        .map((p) => p.name)
        .sort(),
    ).toEqual(REAL_TREE_PLUGINS);
  });
});
