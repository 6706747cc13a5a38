import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

function builtAt(): number {
  try {
    return statSync(join(ROOT, "dist/index.js")).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Builds dist/ before any test runs: several tests spawn Node processes that import the built
 * library, and must never pass against a stale build. Skipped when dist/ is newer than every
 * file under src/ and the build script (as after `npm test`'s own build step).
 */
export default function setup(): void {
  const sources = Math.max(newestMtime(join(ROOT, "src")), statSync(join(ROOT, "scripts/build.mjs")).mtimeMs);
  if (builtAt() > sources) return;
  execFileSync(process.execPath, [join(ROOT, "scripts/build.mjs")], { cwd: ROOT, stdio: "inherit" });
}
