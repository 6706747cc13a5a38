import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";

/**
 * Builds dist/ before any test runs: several tests spawn Node processes that import the built
 * library, and must never pass against a stale build. tsc is incremental, so this is quick when
 * `npm test` has just built.
 */
export default function setup(): void {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { stdio: "inherit" });
}
