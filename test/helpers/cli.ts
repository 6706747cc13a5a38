import { type SpawnSyncOptionsWithStringEncoding, type SpawnSyncReturns, spawnSync } from "node:child_process";
import { join, resolve } from "node:path";

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, "../..");

/** The built CLI (test/global-setup.ts builds dist/ before any test runs). */
export const CLI = join(ROOT, "dist/cli/main.js");

/** Runs `tracelet <args>` from dist/ and returns what it printed and its status. */
export function runCli(
  args: string[],
  options: Partial<SpawnSyncOptionsWithStringEncoding> = {},
): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", cwd: ROOT, ...options });
}
