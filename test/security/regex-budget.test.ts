import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp-dir.js";

const SCRIPT = join(ROOT, "test/fixtures/security/start-with-pattern.mjs");

// In a child process: on the old code the backtracking match never ended, and a hung test
// worker cannot be interrupted. The timeout is a backstop for that hang only.
function start(cwd: string, pattern: string, length: number): { started?: boolean; code?: string; message?: string } {
  const out = spawnSync(process.execPath, [SCRIPT, cwd, pattern, String(length)], {
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, TRACELET_PLUGIN_DIRS: join(cwd, "no-home") },
  });
  expect({ status: out.status, signal: out.signal, stderr: out.stderr }).toEqual({
    status: 0,
    signal: null,
    stderr: "",
  });
  return JSON.parse(out.stdout.trim().split("\n").pop() ?? "{}");
}

describe("B9: a schema pattern that backtracks exponentially", () => {
  it("^a*a*a*a*a*a*a*a*a*a*b$ with a 121-character default settles with TRACELET_ERR_CONFIG_INVALID", async () => {
    const cwd = await tempDir();
    const result = start(cwd, "^a*a*a*a*a*a*a*a*a*a*b$", 121);
    expect(result).toMatchObject({ code: "TRACELET_ERR_CONFIG_INVALID" });
    expect(result.message).toContain("/s must match pattern");
  });

  it("the same shape with a matching default starts", async () => {
    const cwd = await tempDir();
    expect(start(cwd, "^a*a*a*a*a*a*a*a*a*a*a?$", 121)).toEqual({ started: true });
  });
});
