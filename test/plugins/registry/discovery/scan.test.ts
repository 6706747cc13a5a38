import { mkdirSync, realpathSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scanRoots } from "../../../../src/plugins/registry/discovery/scan.js";
import { tempDir } from "../../../helpers/temp-dir.js";
import { link, writeJson, writePluginPackage } from "./project.js";

// A pnpm project: real packages in node_modules/.pnpm/<id>/node_modules/<name>, linked at the top.
async function pnpmProject() {
  const root = realpathSync(await tempDir("tracelet-scan-"));
  const nm = join(root, "node_modules");
  const store = join(nm, ".pnpm");
  const p = join(store, "tracelet-plugin-p@1.0.0", "node_modules", "tracelet-plugin-p");
  writePluginPackage(p, "tracelet-plugin-p", "p");
  const q = join(store, "@acme+tracelet-q@2.0.0", "node_modules", "@acme", "tracelet-q");
  writePluginPackage(q, "@acme/tracelet-q", "q");
  const lib = join(store, "lib@1.0.0", "node_modules", "lib");
  writeJson(join(lib, "package.json"), { name: "lib", version: "1.0.0" });
  const empty = join(store, "empty@1.0.0", "node_modules", "empty");
  mkdirSync(empty, { recursive: true });
  link(p, join(nm, "tracelet-plugin-p"));
  link(q, join(nm, "@acme", "tracelet-q"));
  link(empty, join(nm, "empty"));
  return { root, nm, store, p, q, lib, empty };
}

const scan = (nm: string) => scanRoots([{ dir: nm, source: "project", depth: 0, kind: "node_modules" }]);

describe("scanRoots", () => {
  it("takes pnpm's top-level links at their store paths, each real package once", async () => {
    const { nm, store, p, q, lib, empty } = await pnpmProject();
    const result = scan(nm);
    expect(result.candidates.map((c) => c.dir).sort()).toEqual([q, p].sort());
    expect(result.packagesSeen).toBe(4);
    expect(result.missing).toEqual([empty]);
    const read = result.packages.flatMap(([parent, ...rels]) => rels.map((rel) => `${parent}/${rel}`)).sort();
    expect(read).toEqual([q, lib, p].sort());
    expect(Object.keys(result.dirs)).toContain(store);
  });

  it("skips links into the store that lead nowhere, as realpath finds nothing there", async () => {
    const { nm } = await pnpmProject();
    const before = scan(nm);
    symlinkSync(".pnpm/gone@1.0.0/node_modules/gone", join(nm, "gone"));
    symlinkSync("../.pnpm/@acme+gone@1.0.0/node_modules/@acme/gone", join(nm, "@acme", "gone"));
    const after = scan(nm);
    expect(after.packagesSeen).toBe(before.packagesSeen);
    expect(after.missing).toEqual(before.missing);
    expect(after.candidates.map((c) => c.dir)).toEqual(before.candidates.map((c) => c.dir));
  });

  it("resolves other link targets in full: dot segments, a store reached through a symlink", async () => {
    const { root, nm, p } = await pnpmProject();
    // `..` inside the target: realpath(3) decides where it lands (here: p, already read once).
    symlinkSync(".pnpm/tracelet-plugin-p@1.0.0/node_modules/x/../tracelet-plugin-p", join(nm, "dots"));
    mkdirSync(join(nm, ".pnpm", "tracelet-plugin-p@1.0.0", "node_modules", "x"));
    const result = scan(nm);
    expect(result.candidates.filter((c) => c.dir === p)).toHaveLength(1);
    // A project whose node_modules is itself a link: store paths are the real ones.
    const other = realpathSync(await tempDir("tracelet-scan-"));
    symlinkSync(nm, join(other, "node_modules"));
    const through = scan(join(other, "node_modules"));
    expect(through.candidates.map((c) => c.dir).sort()).toEqual(result.candidates.map((c) => c.dir).sort());
    expect(root).not.toBe(other);
  });
});
