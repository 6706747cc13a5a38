// Real package managers, installed from the npm registry into .tmp/ (git-ignored) once, and
// projects installed by them: the layouts discovery must read are the ones these tools leave.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
const CACHE = join(REPO, ".tmp", "discovery-real-tools");
const TOOLS = join(CACHE, "tools");
const HOME = join(CACHE, "home");

/** The tools, pinned: what a user of each installs today. */
export const TOOL_VERSIONS = {
  pnpm: "9.15.9",
  yarn: "1.22.22",
  "@yarnpkg/cli-dist": "4.18.1",
  bun: "1.4.5",
} as const;

/** A package manager and how to run it. */
export type Tool = "npm" | "pnpm" | "yarn1" | "yarn" | "bun";

// A clean environment: no npm_config_* from a surrounding `npm test`, CI's immutable-install
// default off, every cache under .tmp/.
function toolEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(npm_|NPM_|YARN_|PNPM_|BUN_|INIT_CWD|TRACELET_)/.test(k)) env[k] = v;
  }
  return {
    ...env,
    HOME,
    CI: "",
    npm_config_registry: "https://registry.npmjs.org/",
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false",
    npm_config_cache: join(CACHE, "npm-cache"),
    npm_config_prefix: join(CACHE, "npm-global"),
    YARN_ENABLE_IMMUTABLE_INSTALLS: "false",
    YARN_ENABLE_TELEMETRY: "false",
    YARN_ENABLE_GLOBAL_CACHE: "false",
    YARN_NPM_REGISTRY_SERVER: "https://registry.npmjs.org",
    BUN_INSTALL_CACHE_DIR: join(CACHE, "bun-cache"),
  };
}

function bunBinary(): string {
  const platform = `@oven/bun-${process.platform}-${process.arch === "arm64" ? "aarch64" : process.arch}`;
  for (const candidate of [
    join(TOOLS, "node_modules", platform, "bin", "bun"),
    join(TOOLS, "node_modules/bun/bin/bun.exe"),
  ]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`bun's binary is missing under ${TOOLS}`);
}

function commandOf(tool: Tool, args: string[]): [string, string[]] {
  const modules = join(TOOLS, "node_modules");
  switch (tool) {
    case "npm":
      return ["npm", args];
    case "pnpm":
      return [process.execPath, [join(modules, "pnpm/bin/pnpm.cjs"), ...args]];
    case "yarn1":
      return [process.execPath, [join(modules, "yarn/bin/yarn.js"), ...args]];
    case "yarn":
      return [process.execPath, [join(modules, "@yarnpkg/cli-dist/bin/yarn.js"), ...args]];
    case "bun":
      return [bunBinary(), args];
  }
}

/**
 * Runs a package manager in `cwd` (its output is returned, and shown when it fails).
 *
 * @param tool - which one
 * @param args - its arguments
 * @param cwd - the project
 * @returns stdout
 */
export function runTool(tool: Tool, args: string[], cwd: string): string {
  const [command, argv] = commandOf(tool, args);
  mkdirSync(join(CACHE, "npm-global", "lib"), { recursive: true });
  mkdirSync(HOME, { recursive: true });
  try {
    return execFileSync(command, argv, { cwd, env: toolEnv(), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    throw new Error(`${tool} ${args.join(" ")} failed in ${cwd}:\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
  }
}

// One process at a time builds the cache (test files run in parallel forks).
function withLock<T>(name: string, fn: () => T): T {
  const lock = join(CACHE, `${name}.lock`);
  mkdirSync(CACHE, { recursive: true });
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Installs pnpm, Yarn classic, Yarn Berry and Bun from the npm registry into .tmp/ (once). */
export function ensureTools(): void {
  withLock("tools", () => {
    const stamp = join(TOOLS, "installed.json");
    if (existsSync(stamp) && readFileSync(stamp, "utf8") === JSON.stringify(TOOL_VERSIONS)) return;
    rmSync(TOOLS, { recursive: true, force: true });
    mkdirSync(TOOLS, { recursive: true });
    writeFileSync(join(TOOLS, "package.json"), JSON.stringify({ name: "tools", private: true }));
    const specs = Object.entries(TOOL_VERSIONS).map(([name, version]) => `${name}@${version}`);
    // --ignore-scripts: Bun's binary comes in its platform package; nothing needs to run.
    runTool("npm", ["install", "--ignore-scripts", "--no-save", ...specs], TOOLS);
    writeFileSync(stamp, JSON.stringify(TOOL_VERSIONS));
  });
}

/** The plugin and plain packages the test projects install, as tarballs. */
export interface Tarballs {
  /** `tracelet-plugin-alpha` 1.0.0: ES module backend `alpha`; depends on ms@2.0.0 (nested by npm). */
  alpha: string;
  /** `@acme/tracelet-beta` 1.0.0: CommonJS collector `beta` with a schema file. */
  beta: string;
  /** `gamma` 1.0.0: not a plugin. */
  gamma1: string;
  /** `gamma` 2.0.0: declares backend `gamma`. */
  gamma2: string;
  /** `tracelet-plugin-delta` 1.0.0: backend `delta`. */
  delta: string;
}

const plugin = (name: string, type: string, entry: string, exportName: string, extra = {}) => ({
  engine: "^1.0.0",
  plugins: [{ name, type, entry, export: exportName, ...extra }],
});

function writePackage(dir: string, pkg: Record<string, unknown>, files: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
}

/** Packs the test packages (once) and returns their tarballs' paths. */
export function ensureTarballs(): Tarballs {
  const out = join(CACHE, "tarballs");
  const tarballs: Tarballs = {
    alpha: join(out, "tracelet-plugin-alpha-1.0.0.tgz"),
    beta: join(out, "acme-tracelet-beta-1.0.0.tgz"),
    gamma1: join(out, "gamma-1.0.0.tgz"),
    gamma2: join(out, "gamma-2.0.0.tgz"),
    delta: join(out, "tracelet-plugin-delta-1.0.0.tgz"),
  };
  withLock("tarballs", () => {
    if (Object.values(tarballs).every((t) => existsSync(t))) return;
    const src = join(CACHE, "tarball-sources");
    rmSync(src, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    writePackage(
      join(src, "alpha"),
      {
        name: "tracelet-plugin-alpha",
        version: "1.0.0",
        type: "module",
        dependencies: { ms: "2.0.0" },
        tracelet: plugin("alpha", "backend", "./index.js", "AlphaBackend"),
      },
      { "index.js": "export class AlphaBackend {}\n" },
    );
    writePackage(
      join(src, "beta"),
      {
        name: "@acme/tracelet-beta",
        version: "1.0.0",
        tracelet: plugin("beta", "collector", "./index.cjs", "BetaCollector", { configSchema: "./schema.json" }),
      },
      {
        "index.cjs": "exports.BetaCollector = class BetaCollector {};\n",
        "schema.json": '{ "type": "object", "properties": { "level": { "type": "number" } } }\n',
      },
    );
    writePackage(join(src, "gamma1"), { name: "gamma", version: "1.0.0", main: "index.js" }, { "index.js": "" });
    writePackage(
      join(src, "gamma2"),
      { name: "gamma", version: "2.0.0", type: "module", tracelet: plugin("gamma", "backend", "./index.js", "G") },
      { "index.js": "export class G {}\n" },
    );
    writePackage(
      join(src, "delta"),
      {
        name: "tracelet-plugin-delta",
        version: "1.0.0",
        type: "module",
        tracelet: plugin("delta", "backend", "./d.js", "D"),
      },
      { "d.js": "export class D {}\n" },
    );
    for (const name of ["alpha", "beta", "gamma1", "gamma2", "delta"]) {
      runTool("npm", ["pack", "--pack-destination", out, join(src, name)], src);
    }
  });
  return tarballs;
}

/** One project layout made by a real tool. */
export interface LayoutSpec {
  /** Which tool installs it. */
  tool: Tool;
  /** Its install arguments. */
  install: string[];
  /** Extra files written before the install (`.npmrc`, `.yarnrc.yml`, workspace packages). */
  files?: Record<string, string>;
  /** The host package.json, beyond the default dependencies. */
  pkg?: Record<string, unknown>;
  /** Commands run after the install (`npm link`). */
  after?: Array<[Tool, string[]]>;
}

function baseDependencies(t: Tarballs): Record<string, string> {
  return {
    ms: "2.1.3",
    "tracelet-plugin-alpha": `file:./${t.alpha.split("/").pop()}`,
    "@acme/tracelet-beta": `file:./${t.beta.split("/").pop()}`,
    gamma: `file:./${t.gamma1.split("/").pop()}`,
  };
}

/**
 * A project installed by a real tool, made once under .tmp/ and copied into `into` (so a test
 * may add, remove and upgrade packages in its own copy). The host depends on `ms` from the
 * registry, and on alpha, beta and gamma@1 from tarballs copied into the project.
 *
 * @param name - the layout's name (its cache folder)
 * @param spec - how to make it
 * @param into - where the copy goes
 * @returns the copy's root
 */
export function installedProject(name: string, spec: LayoutSpec, into: string): string {
  ensureTools();
  const tarballs = ensureTarballs();
  const made = join(CACHE, "projects", name);
  withLock(`project-${name}`, () => {
    const stamp = join(made, ".made.json");
    const key = JSON.stringify({ spec, TOOL_VERSIONS });
    if (existsSync(stamp) && readFileSync(stamp, "utf8") === key) return;
    rmSync(made, { recursive: true, force: true });
    mkdirSync(made, { recursive: true });
    for (const t of Object.values(tarballs)) cpSync(t, join(made, t.split("/").pop()!));
    const pkg = { name: `host-${name}`, version: "1.0.0", private: true, dependencies: baseDependencies(tarballs) };
    writeFileSync(join(made, "package.json"), JSON.stringify({ ...pkg, ...spec.pkg }, null, 2));
    for (const [file, text] of Object.entries(spec.files ?? {})) {
      mkdirSync(dirname(join(made, file)), { recursive: true });
      writeFileSync(join(made, file), text);
    }
    runTool(spec.tool, spec.install, made);
    for (const [tool, args] of spec.after ?? []) runTool(tool, args, made);
    writeFileSync(stamp, key);
  });
  const copy = join(into, name);
  cpSync(made, copy, { recursive: true, verbatimSymlinks: true });
  return copy;
}
