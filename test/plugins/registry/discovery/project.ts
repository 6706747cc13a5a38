import { cpSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger } from "../../../../src/core/logger.js";
import { PluginManager } from "../../../../src/index.js";
import type { DiscoveryCacheOption } from "../../../../src/plugins/registry/discovery/cache-mode.js";
import { tempDir } from "../../../helpers/temp-dir.js";

/** Where the committed fixture projects are. */
export const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), "../../../fixtures/projects");

/**
 * Copies a committed fixture project into a fresh temp dir (removed after the test), so tests
 * may add symlinks, big files and caches without touching the repository.
 */
export async function copyFixture(name: string): Promise<string> {
  const dir = await tempDir(`tracelet-${name}-`);
  cpSync(join(FIXTURES, name), dir, { recursive: true, verbatimSymlinks: true });
  return dir;
}

/** Writes a JSON file, creating its directory. */
export function writeJson(file: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Creates a relative directory symlink `link` → `target`. */
export function link(target: string, linkPath: string): void {
  mkdirSync(dirname(linkPath), { recursive: true });
  symlinkSync(relative(dirname(linkPath), target), linkPath, "dir");
}

/** A minimal plugin package with one backend named `plugin`. */
export function writePluginPackage(
  dir: string,
  name: string,
  plugin: string,
  extra: Record<string, unknown> = {},
): void {
  writeJson(join(dir, "package.json"), {
    name,
    version: "1.0.0",
    type: "module",
    tracelet: { engine: "^1.0.0", plugins: [{ name: plugin, type: "backend", entry: "./index.js", export: "B" }] },
    ...extra,
  });
  writeFileSync(join(dir, "index.js"), "export class B {\n  logMetric() {}\n}\n");
}

/** A manager over `cwd` that sees no user-level plugins unless told, with the built-ins registered. */
export function managerFor(cwd: string): PluginManager {
  return new PluginManager({ cwd, logger: createLogger({ level: "silent" }) });
}

/** Discovers with no user-level locations (tests must not see the real home directory). */
export async function discoverIn(cwd: string, userPluginDirs: string[] = [], cache: DiscoveryCacheOption = true) {
  const manager = managerFor(cwd);
  const report = await manager.discoverPlugins({ userPluginDirs, cache });
  return { manager, report };
}
