import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/temp-dir.js";

const exec = promisify(execFile);
const cli = new URL("../../dist/cli/main.js", import.meta.url).pathname;

describe("tracelet demo", () => {
  it("runs a simulated training loop on the jsonl backend and says where the results are", async () => {
    const cwd = await tempDir();
    const { stdout } = await exec(process.execPath, [cli, "demo", "--fast"], { cwd });
    expect(stdout).toContain("Results are in");
    const [runId] = readdirSync(join(cwd, "tracelet-runs", "demo"));
    expect(stdout).toContain(runId);
    const runDir = join(cwd, "tracelet-runs", "demo", runId);
    const lines = readFileSync(join(runDir, "metrics.jsonl"), "utf8").trim().split("\n");
    expect(lines).toHaveLength(2020);
    expect(JSON.parse(readFileSync(join(runDir, "run.json"), "utf8")).status).toBe("finished");
    expect(readdirSync(join(runDir, "artifacts", "models"))).toEqual(["model.json"]);
    expect(stdout).toMatch(/failures\s+0/);
  });

  it("prints usage and exits non-zero for an unknown command", async () => {
    const error = await exec(process.execPath, [cli, "nope"]).catch((e) => e);
    expect(error.code).toBe(2);
    expect(error.stderr).toContain('unknown command "nope"');
  });

  it("prints its version", async () => {
    const { stdout } = await exec(process.execPath, [cli, "--version"]);
    expect(stdout.trim()).toBe(
      JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version,
    );
  });
});
