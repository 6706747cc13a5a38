import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp-dir.js";

const SCRIPT = join(ROOT, "test/fixtures/reliability/never-settles.mjs");

describe("B5: a plugin promise that never settles, in a script with nothing else pending", () => {
  for (const hook of ["initialize", "start", "logParams", "logArtifact", "flush", "stop"]) {
    it(`in ${hook}: the deadline fires, the run goes on to the end and the process exits normally`, async () => {
      const cwd = await tempDir();
      // On the old code Node exited at once with code 13 (the deadline's timer was unref'd);
      // the timeout is only a backstop for a hang.
      const out = spawnSync(process.execPath, [SCRIPT, cwd, hook], { encoding: "utf8", timeout: 60_000 });
      expect({ status: out.status, signal: out.signal, stderr: out.stderr }).toEqual({
        status: 0,
        signal: null,
        stderr: "",
      });
      const lines = out.stdout.trim().split("\n");
      expect(lines.slice(0, 2)).toEqual(["started", "flushed"]);
      const failures = JSON.parse(lines[2] ?? "[]") as string[][];
      expect(failures).toContainEqual(["hangs", hook, "TRACELET_ERR_HOOK_TIMEOUT"]);
      expect(failures.every(([plugin, , code]) => plugin === "hangs" && code === "TRACELET_ERR_HOOK_TIMEOUT")).toBe(
        true,
      );
      const run = JSON.parse(readFileSync(join(cwd, "tracelet-runs", "p", "r", "run.json"), "utf8"));
      expect(run.status).toBe("finished");
    });
  }
});
