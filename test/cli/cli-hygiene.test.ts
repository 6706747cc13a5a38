import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp-dir.js";

const COMMANDS = ["demo", "plugins", "sync"];

describe("the CLI", () => {
  it.each(COMMANDS)("`tracelet %s --help` prints the command's usage and runs nothing", async (command) => {
    const cwd = await tempDir();
    const run = runCli([command, "--help"], { cwd });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Usage: tracelet ${command}`);
    expect(run.stdout).toContain("--help");
    // `tracelet demo --help` used to run the demo and write a run.
    expect(existsSync(join(cwd, "tracelet-runs"))).toBe(false);
  });

  it.each(COMMANDS)("`tracelet %s --bogus` is refused with the valid options, exit 2", async (command) => {
    const cwd = await tempDir();
    const run = runCli([command, "--bogus"], { cwd });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('unknown option "--bogus"');
    expect(run.stderr).toMatch(/Valid options: .*--help/);
    expect(existsSync(join(cwd, "tracelet-runs"))).toBe(false);
  });

  it("a misspelt flag or command gets a suggestion", async () => {
    const cwd = await tempDir();
    const flag = runCli(["plugins", "--jsn"], { cwd });
    expect(flag.status).toBe(2);
    expect(flag.stderr).toContain('Did you mean "--json"?');
    const command = runCli(["plugin"], { cwd });
    expect(command.status).toBe(2);
    expect(command.stderr).toContain('Did you mean "plugins"?');
  });

  it("a flag without its value, or an argument a command does not take, fails", async () => {
    const cwd = await tempDir();
    expect(runCli(["demo", "--dir"], { cwd }).status).toBe(2);
    const extra = runCli(["demo", "now"], { cwd });
    expect(extra.status).toBe(2);
    expect(extra.stderr).toContain('unexpected argument "now"');
    expect(existsSync(join(cwd, "tracelet-runs"))).toBe(false);
  });

  it("a command that fails exits non-zero with the error's code", async () => {
    const cwd = await tempDir();
    const run = runCli(["plugins", "--cwd", join(cwd, "missing")], { cwd });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("TRACELET_ERR_OPTION_INVALID");
  });
});
