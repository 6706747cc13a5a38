import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readMetrics, startExperiment } from "../../src/index.js";
import { runCli } from "../helpers/cli.js";
import { spooledJsonlRun } from "../helpers/spooled-run.js";
import { tempDir } from "../helpers/temp-dir.js";
import { copyFixture } from "../plugins/registry/discovery/project.js";

describe("tracelet sync tells backends it is a replay", () => {
  it("an interrupted run stays interrupted: run.json is not rewritten (status, pid, end time)", async () => {
    const run = await spooledJsonlRun(join(await tempDir(), "runs"), 3);
    const runJson = join(run.runDir, "run.json");
    const ended = {
      ...JSON.parse(readFileSync(runJson, "utf8")),
      status: "interrupted",
      signal: "SIGINT",
      endedAt: "2026-01-01T00:00:00.000Z",
      pid: 1,
      hostname: "elsewhere",
    };
    delete ended.heartbeatAt;
    writeFileSync(runJson, `${JSON.stringify(ended, null, 2)}\n`);
    const before = readFileSync(runJson, "utf8");

    const out = runCli(["sync", run.runDir]);
    expect(out.status, out.stderr).toBe(0);
    expect((await readMetrics(run.runDir)).points).toHaveLength(3);
    // On the old code: "running" while it replayed, then this process's pid and a new endedAt.
    expect(readFileSync(runJson, "utf8")).toBe(before);
  });
});

describe("tracelet sync and a plugin's secrets", () => {
  it("hides a secret value passed with --config wherever the plugin logs it, not only under its key", async () => {
    const cwd = await copyFixture("sync-plugins");
    const token = "tk-0123456789abcdef";
    let runDir = "";
    process.env.TALKER_DOWN = "1";
    try {
      const exp = await startExperiment({
        cwd,
        dir: join(cwd, "runs"),
        backends: ["talker"],
        plugins: { talker: { token } },
        logLevel: "silent",
      });
      exp.logMetric("m", 1, 0);
      expect((await exp.stop()).spooled).toEqual({ talker: 1 });
      runDir = exp.runDir;
    } finally {
      delete process.env.TALKER_DOWN;
    }
    const out = runCli(["sync", runDir, "--config", JSON.stringify({ token })], {
      cwd,
      env: { ...process.env, TRACELET_LOG_LEVEL: "warn" },
    });
    expect(out.status, out.stderr).toBe(0);
    expect(out.stderr).toContain("connecting with");
    expect(out.stderr).not.toContain(token);
  });
});

describe("tracelet sync calls a backend through the run's plugin-call path", () => {
  it("a backend that fails to start is reported with the coded error a run gives, and its spool is kept", async () => {
    const cwd = await copyFixture("sync-plugins");
    process.env.TALKER_DOWN = "1";
    try {
      const exp = await startExperiment({
        cwd,
        dir: join(cwd, "runs"),
        backends: ["talker"],
        plugins: { talker: { token: "t" } },
        logLevel: "silent",
      });
      exp.logMetric("m", 1, 0);
      expect((await exp.stop()).spooled).toEqual({ talker: 1 });
      // Still down during the sync. On the old code: "talker: talker is down", without a code.
      const out = runCli(["sync", exp.runDir, "--config", JSON.stringify({ token: "t" })], {
        cwd,
        env: { ...process.env, TRACELET_LOG_LEVEL: "silent" },
      });
      expect(out.status).toBe(1);
      expect(out.stderr).toContain(
        'talker: TRACELET_ERR_HOOK_FAILED: Plugin "talker" failed in "start": talker is down',
      );
      expect(out.stdout).not.toContain("points from");
    } finally {
      delete process.env.TALKER_DOWN;
    }
  });
});
