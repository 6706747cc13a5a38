import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { instantiate } from "../../../../src/plugins/registry/instantiate.js";
import { tempDir } from "../../../helpers/temp-dir.js";
import { discoverIn, writeJson, writePluginPackage } from "./project.js";

async function projectWithPlugin(plugin: string) {
  const cwd = await tempDir();
  writeJson(join(cwd, "package.json"), { name: "host", version: "1.0.0", private: true });
  const pkg = join(cwd, "node_modules", `tracelet-plugin-${plugin}`);
  mkdirSync(pkg, { recursive: true });
  writePluginPackage(pkg, `tracelet-plugin-${plugin}`, plugin);
  return { cwd, pkg };
}

describe("loading a discovered entry", () => {
  it("refuses an entry swapped for a symlink out of the package after discovery, importing nothing", async () => {
    const { cwd, pkg } = await projectWithPlugin("swapped");
    const { manager } = await discoverIn(cwd, [], false);
    const record = manager.resolve("swapped", "backend");
    const outside = join(cwd, "outside.js");
    const marker = join(cwd, "imported.marker");
    writeFileSync(
      outside,
      `import { writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(marker)}, "x");\nexport class B { logMetric() {} }\n`,
    );
    rmSync(join(pkg, "index.js"));
    symlinkSync(outside, join(pkg, "index.js"));
    await expect(instantiate(record)).rejects.toMatchObject({ code: "TRACELET_ERR_ENTRY_OUTSIDE_PACKAGE" });
    expect(existsSync(marker)).toBe(false);
  });

  it("reports an entry removed after discovery as TRACELET_ERR_LOAD_FAILED", async () => {
    const { cwd, pkg } = await projectWithPlugin("vanished");
    const { manager } = await discoverIn(cwd, [], false);
    rmSync(join(pkg, "index.js"));
    await expect(instantiate(manager.resolve("vanished", "backend"))).rejects.toMatchObject({
      code: "TRACELET_ERR_LOAD_FAILED",
    });
  });

  it("imports an entry that is a symlink to a file inside the package", async () => {
    const { cwd, pkg } = await projectWithPlugin("linked");
    mkdirSync(join(pkg, "lib"));
    writeFileSync(join(pkg, "lib", "real.js"), "export class B {\n  logMetric() {}\n}\n");
    rmSync(join(pkg, "index.js"));
    symlinkSync(join(pkg, "lib", "real.js"), join(pkg, "index.js"));
    const { manager } = await discoverIn(cwd, [], false);
    const instance = await instantiate(manager.resolve("linked", "backend"));
    expect(typeof (instance as { logMetric?: unknown }).logMetric).toBe("function");
  });
});
