import { existsSync, mkdirSync, readdirSync, rmdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readMetrics, startExperiment } from "../../src/index.js";
import { runCli } from "../helpers/cli.js";
import { copyFixture } from "../plugins/registry/discovery/project.js";

afterEach(() => {
  delete process.env.EXITER_DOWN;
});

// A run of the fixture project with two spools: jsonl's (its metrics.jsonl was a directory) and
// that of `exiter`, a plugin package whose logMetrics calls process.exit().
async function runWithTwoSpools(): Promise<{ cwd: string; runDir: string }> {
  const cwd = await copyFixture("sync-plugins");
  const runDir = join(cwd, "runs", "p", "r1");
  mkdirSync(join(runDir, "metrics.jsonl"), { recursive: true });
  process.env.EXITER_DOWN = "1";
  const exp = await startExperiment({
    cwd,
    dir: join(cwd, "runs"),
    project: "p",
    runId: "r1",
    backends: ["jsonl", "exiter"],
    logLevel: "silent",
  });
  for (let i = 0; i < 5; i++) exp.logMetric("m", i, i);
  const report = await exp.stop();
  delete process.env.EXITER_DOWN;
  expect(report.spooled).toEqual({ jsonl: 5, exiter: 5 });
  rmdirSync(join(runDir, "metrics.jsonl"));
  return { cwd, runDir };
}

const segments = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => /^\d/.test(f)) : []);

describe("B10: a plugin that calls process.exit() during tracelet sync", () => {
  it("stops only its own replay: the other backends' spools are still replayed, and sync fails (exit 1)", async () => {
    const { cwd, runDir } = await runWithTwoSpools();
    // `exiter` sorts first: on the old code its process.exit(0) ended the command before jsonl.
    const out = runCli(["sync", runDir], { cwd });
    expect(out.status, out.stdout + out.stderr).toBe(1);
    expect(out.stdout).toContain("jsonl: 5 points");
    expect(out.stderr).toContain("exiter: its replay process exited with code 0 before the replay finished");
    const { points } = await readMetrics(runDir);
    expect(points.map((p) => p.step)).toEqual([0, 1, 2, 3, 4]);
    expect(segments(join(runDir, "spool", "jsonl"))).toEqual([]);
    // What exiter never took is still there for a later sync.
    expect(segments(join(runDir, "spool", "exiter")).length).toBeGreaterThan(0);
  });

  it("`--backend <name>` replays that backend only", async () => {
    const { cwd, runDir } = await runWithTwoSpools();
    const out = runCli(["sync", runDir, "--backend", "jsonl"], { cwd });
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout.trim()).toBe("tracelet sync: jsonl: 5 points from 1 spool file(s)");
    expect(segments(join(runDir, "spool", "exiter")).length).toBeGreaterThan(0);
    const again = runCli(["sync", runDir, "--backend", "jsonl"], { cwd });
    expect(again.status).toBe(0);
    expect(again.stdout).toContain("nothing to replay for jsonl");
  });

  it("`--backend` with an unknown name: one line with a suggestion, exit 2, nothing replayed", async () => {
    const { cwd, runDir } = await runWithTwoSpools();
    const out = runCli(["sync", runDir, "--backend", "jsnol"], { cwd });
    expect(out.status).toBe(2);
    expect(out.stdout).toBe("");
    expect(out.stderr.trim().split("\n")).toEqual([
      'tracelet sync: unknown backend "jsnol". Did you mean "jsonl"? Backends with a spool here: exiter, jsonl.',
    ]);
    expect(segments(join(runDir, "spool", "jsonl")).length).toBeGreaterThan(0);
    expect(runCli(["sync", "--help"]).stdout).toMatch(/--backend <name> +replay this backend's spool only/);
  });
});
