import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import type { PluginsListing } from "../../../../src/cli/commands/plugins.js";
import { tempDir } from "../../../helpers/temp-dir.js";
import { discoverIn } from "./project.js";
import { ensureTarballs, ensureTools, installedProject, type LayoutSpec, runTool } from "./real-tools.js";

// Every layout users have, each made by the real tool (installed from the npm registry by
// real-tools.ts), then read through the public API and through `tracelet plugins --json`.

const exec = promisify(execFile);
const CLI = resolve("dist/cli/main.js");
const DIST = pathToFileURL(resolve("dist/index.js")).href;
const CACHE = resolve(".tmp/discovery-real-tools");
const PNPM_STORE = ["--store-dir", join(CACHE, "pnpm-store")];
const BASE = ["alpha", "beta"];

const linked = {
  "linked/tracelet-plugin-linked/package.json": JSON.stringify({
    name: "tracelet-plugin-linked",
    version: "1.0.0",
    type: "module",
    tracelet: { engine: "^1.0.0", plugins: [{ name: "linked", type: "backend", entry: "./l.js", export: "L" }] },
  }),
  "linked/tracelet-plugin-linked/l.js": "export class L {}\n",
};

const workspaces = {
  "packages/app/package.json": JSON.stringify({
    name: "app",
    version: "1.0.0",
    dependencies: { "tracelet-plugin-delta": "file:../../tracelet-plugin-delta-1.0.0.tgz" },
  }),
  "packages/local-plugin/package.json": JSON.stringify({
    name: "local-plugin",
    version: "1.0.0",
    type: "module",
    tracelet: { engine: "^1.0.0", plugins: [{ name: "local", type: "collector", entry: "./c.js", export: "C" }] },
  }),
  "packages/local-plugin/c.js": "export class C {}\n",
};

const berry = (linker: string, extra = "") => ({
  ".yarnrc.yml": `nodeLinker: ${linker}\nenableGlobalCache: false\nnpmRegistryServer: "https://registry.npmjs.org"\n${extra}`,
  "yarn.lock": "",
});

const LAYOUTS: Record<string, LayoutSpec & { plugins: string[]; layout?: "pnp" }> = {
  npm: { tool: "npm", install: ["install"], plugins: BASE },
  "npm-workspaces": {
    tool: "npm",
    install: ["install"],
    pkg: { workspaces: ["packages/*"] },
    files: workspaces,
    plugins: [...BASE, "delta", "local"],
  },
  "npm-link": {
    tool: "npm",
    install: ["install"],
    files: linked,
    after: [["npm", ["link", "./linked/tracelet-plugin-linked"]]],
    plugins: [...BASE, "linked"],
  },
  pnpm: { tool: "pnpm", install: ["install", ...PNPM_STORE], plugins: BASE },
  "pnpm-hoisted": {
    tool: "pnpm",
    install: ["install", ...PNPM_STORE],
    files: { ".npmrc": "node-linker=hoisted\n" },
    plugins: BASE,
  },
  "pnpm-workspaces": {
    tool: "pnpm",
    install: ["install", ...PNPM_STORE],
    // app depends on the workspace's local-plugin: linked into packages/app/node_modules only.
    files: {
      ...workspaces,
      "packages/app/package.json": JSON.stringify({
        name: "app",
        version: "1.0.0",
        dependencies: {
          "tracelet-plugin-delta": "file:../../tracelet-plugin-delta-1.0.0.tgz",
          "local-plugin": "workspace:*",
        },
      }),
      "pnpm-workspace.yaml": "packages:\n  - 'packages/*' # every package\n",
    },
    plugins: [...BASE, "delta", "local"],
  },
  "yarn-classic": {
    tool: "yarn1",
    install: ["install", "--registry", "https://registry.npmjs.org", "--cache-folder", join(CACHE, "yarn1-cache")],
    plugins: BASE,
  },
  "yarn-berry-node-modules": { tool: "yarn", install: ["install"], files: berry("node-modules"), plugins: BASE },
  "yarn-pnp": { tool: "yarn", install: ["install"], files: berry("pnp"), plugins: BASE, layout: "pnp" },
  "yarn-pnp-data-json": {
    tool: "yarn",
    install: ["install"],
    files: berry("pnp", "pnpEnableInlining: false\n"),
    plugins: BASE,
    layout: "pnp",
  },
  "bun-isolated": { tool: "bun", install: ["install", "--linker", "isolated"], plugins: BASE },
};

const available = (plugins: Array<{ name: string; state: string; source: string }>) =>
  plugins
    .filter((p) => p.state === "available" && (p.source === "project" || p.source === "user"))
    .map((p) => p.name)
    .sort();

async function cli(root: string): Promise<{ doc: PluginsListing; code: number }> {
  try {
    const { stdout } = await exec(process.execPath, [CLI, "plugins", "--json", "--cwd", root], {
      env: { ...process.env, TRACELET_PLUGIN_DIRS: join(root, "no-home"), TRACELET_LOG_LEVEL: "silent" },
    });
    return { doc: JSON.parse(stdout) as PluginsListing, code: 0 };
  } catch (error) {
    const e = error as { stdout: string; code: number };
    return { doc: JSON.parse(e.stdout) as PluginsListing, code: e.code };
  }
}

describe("discovery on projects installed by the real package managers", () => {
  beforeAll(() => {
    ensureTools();
    ensureTarballs();
  }, 600_000);

  it.each(Object.keys(LAYOUTS))("%s", { timeout: 300_000 }, async (name) => {
    const spec = LAYOUTS[name]!;
    const root = installedProject(name, spec, await tempDir(`tracelet-real-${name}-`));
    const first = (await discoverIn(root)).report;
    expect({ plugins: available(first.plugins), problems: first.problems }).toEqual({
      plugins: [...spec.plugins].sort(),
      problems: [],
    });
    expect(first.layout).toBe(spec.layout ?? "node_modules");
    expect(first.cache).toBe("miss");
    const again = (await discoverIn(root)).report;
    expect([again.cache, available(again.plugins)]).toEqual(["hit", [...spec.plugins].sort()]);
    // The CLI (which also checks each entry's export, from a zip archive under Plug'n'Play).
    const { doc, code } = await cli(root);
    expect({ code, plugins: available(doc.plugins), problems: doc.problems }).toEqual({
      code: 0,
      plugins: [...spec.plugins].sort(),
      problems: [],
    });
    expect(doc.layout).toBe(spec.layout ?? "node_modules");
  });

  it("yarn-pnp, from a process running under Plug'n'Play (the pnpapi module)", { timeout: 300_000 }, async () => {
    const root = installedProject("yarn-pnp", LAYOUTS["yarn-pnp"]!, await tempDir("tracelet-real-pnp-api-"));
    const script = join(root, "discover.mjs");
    writeFileSync(
      script,
      // The runtime has read .pnp.cjs already: emptied now, the file can no longer tell discovery
      // anything, so what is found comes from the pnpapi module.
      `import { writeFileSync } from "node:fs";
writeFileSync(".pnp.cjs", "// emptied after the runtime loaded it\\n");
const { PluginManager } = await import(${JSON.stringify(DIST)});
const report = await new PluginManager({ cwd: process.cwd() }).discoverPlugins({ userPluginDirs: [], cache: "off" });
console.log(JSON.stringify({ pnp: process.versions.pnp ?? null, layout: report.layout, problems: report.problems,
  plugins: report.plugins.map((p) => ({ name: p.name, state: p.state, source: p.source, path: p.path })) }));\n`,
    );
    const { stdout } = await exec(process.execPath, ["--require", join(root, ".pnp.cjs"), script], { cwd: root });
    const out = JSON.parse(stdout) as {
      pnp: string | null;
      layout: string;
      problems: unknown[];
      plugins: Array<{ name: string; state: string; source: string; path: string }>;
    };
    expect(out.pnp).not.toBeNull();
    expect({ layout: out.layout, plugins: available(out.plugins), problems: out.problems }).toEqual({
      layout: "pnp",
      plugins: BASE,
      problems: [],
    });
    // Packages live inside the zip archives of .yarn/cache.
    expect(out.plugins.find((p) => p.name === "alpha")?.path).toMatch(
      /\.yarn\/cache\/.*\.zip\/node_modules\/tracelet-plugin-alpha$/,
    );
  });

  describe.each([
    ["npm", (args: string[]) => args],
    ["pnpm", (args: string[]) => [...args, ...PNPM_STORE]],
  ] as const)("%s: the default cache notices installs", (tool, withStore) => {
    it("add, remove, upgrade", { timeout: 300_000 }, async () => {
      const root = installedProject(tool, LAYOUTS[tool]!, await tempDir(`tracelet-real-${tool}-installs-`));
      const add = tool === "npm" ? "install" : "add";
      const remove = tool === "npm" ? "uninstall" : "remove";
      const step = async (args: string[]) => {
        runTool(tool, withStore(args), root);
        const { report } = await discoverIn(root);
        expect(report.cache).toBe("rebuilt");
        expect(report.problems).toEqual([]);
        expect((await discoverIn(root)).report.cache).toBe("hit");
        return available(report.plugins);
      };
      expect((await discoverIn(root)).report.cache).toBe("miss");
      expect(await step([add, "./tracelet-plugin-delta-1.0.0.tgz"])).toEqual(["alpha", "beta", "delta"]);
      expect(await step([remove, "@acme/tracelet-beta"])).toEqual(["alpha", "delta"]);
      // gamma 1.0.0 was a plain package; 2.0.0 declares a plugin.
      expect(await step([add, "./gamma-2.0.0.tgz"])).toEqual(["alpha", "delta", "gamma"]);
    });
  });

  it("a switch from npm to pnpm in place (lockfile and layout change)", { timeout: 300_000 }, async () => {
    const root = installedProject("npm", LAYOUTS.npm!, await tempDir("tracelet-real-switch-"));
    expect((await discoverIn(root)).report.cache).toBe("miss");
    runTool("pnpm", ["import"], root);
    runTool("pnpm", ["install", "--config.confirmModulesPurge=false", ...PNPM_STORE], root);
    const { report } = await discoverIn(root);
    expect(report.cache).not.toBe("hit");
    expect({ plugins: available(report.plugins), problems: report.problems }).toEqual({ plugins: BASE, problems: [] });
    expect(report.plugins.find((p) => p.name === "alpha")?.path).toContain("/node_modules/.pnpm/");
  });
});
