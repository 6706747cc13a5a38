import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, runCli } from "../helpers/cli.js";

const guide = readFileSync(join(ROOT, "docs/getting-started.md"), "utf8");

describe("docs/getting-started.md", () => {
  it("lists what an Experiment offers: ids, directory, status, the stop report", () => {
    for (const member of ["exp.id", "exp.runId", "exp.runDir", "exp.status()", "await exp.stop()", "await exp.flush()"])
      expect(guide).toContain(`\`${member}`);
    expect(guide).toMatch(/stop report `\{ failures, spooled, inFlight, spoolDirs, sync \}`/);
    for (const status of ["finished", "interrupted", "failed"]) expect(guide).toContain(`\`${status}\``);
  });

  it("links every command of the CLI", () => {
    const help = runCli(["--help"]).stdout;
    const commands = [...help.matchAll(/^ {2}([a-z]+) {2,}/gm)]
      .map((m) => m[1])
      .filter((c) => c !== "demo" && c !== "plugins");
    expect(commands.length).toBeGreaterThan(0);
    for (const command of commands) expect(guide).toContain(`npx tracelet ${command}`);
  });
});
