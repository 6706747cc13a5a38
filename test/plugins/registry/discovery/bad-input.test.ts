import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { DiscoveryProblem } from "../../../../src/index.js";
import { runCli } from "../../../helpers/cli.js";
import { copyFixture, discoverIn, writeJson, writePluginPackage } from "./project.js";

const problemOf = (problems: DiscoveryProblem[], pkg: string) => problems.filter((p) => p.packageName === pkg);

describe("bad input", () => {
  it("turns every malformed manifest into a coded problem and skips the rest silently", async () => {
    const cwd = await copyFixture("bad-input");
    const { report, manager } = await discoverIn(cwd);
    for (const pkg of ["invalid-json", "wrong-shape", "wrong-types", "unicode-name", "long-name", "bad-range"]) {
      expect([pkg, problemOf(report.problems, pkg).map((p) => p.code)]).toEqual([
        pkg,
        ["TRACELET_ERR_MANIFEST_INVALID"],
      ]);
    }
    expect(problemOf(report.problems, "deep-schema").map((p) => p.code)).toEqual(["TRACELET_ERR_SCHEMA_INVALID"]);
    expect(manager.getPlugin("backend", "deep")?.state).toBe("refused");
    for (const pkg of ["pkgjson-dir", "no-field", "no-package-json"])
      expect(problemOf(report.problems, pkg)).toEqual([]);
    expect(manager.getPlugin("backend", "fine")?.state).toBe("available");
    expect(report.problems).toHaveLength(7);
  });

  it("refuses a 1 MB manifest, 10,000 plugins in one package and a huge schema without trouble", async () => {
    const cwd = await copyFixture("bad-input");
    const nm = join(cwd, "node_modules");
    writeJson(join(nm, "huge-manifest", "package.json"), {
      name: "huge-manifest",
      version: "1.0.0",
      tracelet: {
        engine: "^1.0.0",
        plugins: [{ name: "huge", type: "backend", entry: "./i.js", description: "x".repeat(1_100_000) }],
      },
    });
    writeJson(join(nm, "many-plugins", "package.json"), {
      name: "many-plugins",
      version: "1.0.0",
      tracelet: {
        engine: "^1.0.0",
        plugins: Array.from({ length: 10_000 }, (_, i) => ({ name: `p${i}`, type: "backend", entry: "./i.js" })),
      },
    });
    const properties = Object.fromEntries(Array.from({ length: 30_000 }, (_, i) => [`k${i}`, { type: "string" }]));
    writePluginPackage(join(nm, "huge-schema"), "huge-schema", "huge-schema");
    writeJson(join(nm, "huge-schema", "package.json"), {
      name: "huge-schema",
      version: "1.0.0",
      tracelet: {
        engine: "^1.0.0",
        plugins: [
          { name: "huge-schema", type: "backend", entry: "./index.js", export: "B", configSchema: "./schema.json" },
        ],
      },
    });
    writeJson(join(nm, "huge-schema", "schema.json"), { type: "object", properties });
    const { report, manager } = await discoverIn(cwd);
    expect(problemOf(report.problems, "huge-manifest").map((p) => p.code)).toEqual(["TRACELET_ERR_MANIFEST_INVALID"]);
    expect(problemOf(report.problems, "huge-manifest")[0]?.message).toContain("limit");
    expect(problemOf(report.problems, "many-plugins").map((p) => p.code)).toEqual(["TRACELET_ERR_MANIFEST_INVALID"]);
    expect(report.plugins.filter((p) => p.packageName === "many-plugins").length).toBeLessThanOrEqual(100);
    expect(manager.getPlugin("backend", "huge-schema")?.problem?.code).toBe("TRACELET_ERR_SCHEMA_INVALID");
    expect(manager.getPlugin("backend", "fine")?.state).toBe("available");
  });

  it("survives broken symlinks, symlink loops, a FIFO package.json and a link back to the project", async () => {
    const cwd = await copyFixture("bad-input");
    const nm = join(cwd, "node_modules");
    symlinkSync(join(cwd, "does-not-exist"), join(nm, "broken-link"));
    symlinkSync(join(nm, "loop-b"), join(nm, "loop-a"));
    symlinkSync(join(nm, "loop-a"), join(nm, "loop-b"));
    symlinkSync("..", join(nm, "up"));
    symlinkSync(".", join(nm, "self"));
    mkdirSync(join(nm, "fifo-pkg"));
    execFileSync("mkfifo", [join(nm, "fifo-pkg", "package.json")]);
    mkdirSync(join(nm, "@scope-loop"));
    symlinkSync("..", join(nm, "@scope-loop", "again"));
    const { report, manager } = await discoverIn(cwd);
    expect(manager.getPlugin("backend", "fine")?.state).toBe("available");
    expect(report.problems).toHaveLength(7);
  });

  it("skips unreadable directories", async () => {
    // Root reads through any permission, so the scan runs in a child as "nobody" when the
    // tests run as root (as in CI); otherwise as the current user.
    const cwd = await copyFixture("bad-input");
    chmodSync(cwd, 0o755);
    const locked = join(cwd, "node_modules", "locked");
    writePluginPackage(locked, "locked", "locked");
    chmodSync(locked, 0o000);
    const asRoot = process.getuid?.() === 0;
    try {
      const out = runCli(["plugins", "--json", "--no-cache"], {
        cwd,
        ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
      });
      expect(out.stderr).not.toMatch(/EACCES|Error:/);
      const listing = JSON.parse(out.stdout) as { plugins: { name: string; state: string }[] };
      const state = (name: string) => listing.plugins.find((p) => p.name === name)?.state;
      expect(state("fine")).toBe("available");
      expect(state("locked")).toBeUndefined();
    } finally {
      chmodSync(locked, 0o755);
    }
  });

  it("does not crash on a host package.json that is not JSON", async () => {
    const cwd = await copyFixture("bad-input");
    writeFileSync(join(cwd, "package.json"), "{ not json");
    const { manager } = await discoverIn(cwd);
    expect(manager.getPlugin("backend", "fine")?.state).toBe("available");
  });

  it("never lets one bad package hide the others, also without the cache", async () => {
    const cwd = await copyFixture("bad-input");
    writeFileSync(join(cwd, "node_modules", "invalid-json", "package.json"), '\u0000\u0001tracelet"tracelet"{{{');
    const { manager, report } = await discoverIn(cwd, [], false);
    expect(report.cache).toBe("off");
    expect(manager.getPlugin("backend", "fine")?.state).toBe("available");
  });
});
