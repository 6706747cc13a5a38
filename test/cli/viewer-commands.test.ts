import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startExperiment } from "../../src/index.js";
import { runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp-dir.js";
import { makeRuns } from "../viewer/fixtures.js";

describe("tracelet runs / show / compare / export", () => {
  it("lists runs with params and last metric values, filters with --where, prints JSON", async () => {
    const cwd = await tempDir();
    const { dir, ids } = await makeRuns(cwd, 3);
    const table = runCli(["runs", "--dir", dir]);
    expect(table.status).toBe(0);
    expect(table.stdout.split("\n")[0]).toMatch(
      /^ID\s+NAME\s+PROJECT\s+STATUS\s+STARTED\s+DURATION\s+lr\s+opt\s+loss\s+train\/acc$/,
    );
    for (const id of ids) expect(table.stdout).toContain(id);
    const json = JSON.parse(
      runCli(["runs", "--dir", dir, "--json", "--where", "params.lr < 0.06 and opt = sgd"]).stdout,
    );
    expect(json.map((r: { name: string }) => r.name)).toEqual(["run1"]);
    expect(json[0]).toMatchObject({
      status: "finished",
      params: { lr: 0.05 },
      metrics: { loss: { count: 50, last: 2 / 50, min: 2 / 50, max: 2 } },
    });
    expect(JSON.parse(runCli(["runs", "--dir", dir, "--json", "--where", "loss > 0.05"]).stdout)).toHaveLength(1);
  });

  it("shows a crashed run as crashed (its process is gone without stopping)", async () => {
    const cwd = await tempDir();
    const script = `import { startExperiment } from ${JSON.stringify(join(process.cwd(), "dist/index.js"))};
      const exp = await startExperiment({ cwd: ${JSON.stringify(cwd)}, project: "p", logLevel: "silent" });
      exp.logMetric("loss", 1, 0); await exp.flush(); process.kill(process.pid, "SIGKILL");`;
    try {
      execFileSync(process.execPath, ["--input-type=module", "-e", script]);
    } catch {}
    const [run] = JSON.parse(runCli(["runs", "--dir", join(cwd, "tracelet-runs"), "--json"]).stdout);
    expect(run.status).toBe("crashed");
    expect(run.metrics.loss.count).toBe(1);
  });

  it("shows one run, compares runs with differences marked, exports CSV and JSONL", async () => {
    const cwd = await tempDir();
    const { dir, ids } = await makeRuns(cwd, 2);
    const show = runCli(["show", ids[0].slice(0, -3), "--dir", dir]);
    expect(show.status).toBe(0);
    expect(show.stdout).toMatch(/loss\s+50\s+0\.02\s+0\.02\s+1\s+49/);
    const compare = runCli(["compare", ids[0], ids[1], "--dir", dir]);
    expect(compare.stdout).toMatch(/^\*\s+params\.lr\s+0\.1\s+0\.05$/m);
    expect(compare.stdout).toMatch(/^\s+metrics\.train\/acc\s+0\.98\s+0\.98$/m);
    const out = join(cwd, "out.csv");
    expect(runCli(["export", ids[0], "--dir", dir, "--out", out]).status).toBe(0);
    const csv = (await readFile(out, "utf8")).trim().split("\n");
    expect(csv[0]).toBe("worker,name,step,value,timestamp");
    expect(csv).toHaveLength(101);
    expect(csv[1]).toMatch(/^main,loss,0,1,\d+$/);
    const jsonl = runCli(["export", ids[0], "--dir", dir, "--format", "jsonl"]).stdout.trim().split("\n");
    expect(JSON.parse(jsonl[1])).toMatchObject({ worker: "main", name: "train/acc", step: 0, value: 0 });
  });

  it("refuses bad inputs with one clear line and a non-zero exit", async () => {
    const cwd = await tempDir();
    const { dir, ids } = await makeRuns(cwd, 2);
    const cases: [string[], RegExp][] = [
      [["show", "nope", "--dir", dir], /TRACELET_ERR_RUN_NOT_FOUND: No run "nope"/],
      [["show", ids[0].slice(0, 4), "--dir", dir], /TRACELET_ERR_RUN_AMBIGUOUS: "\d{4}" matches 2 runs/],
      [["runs", "--dir", join(cwd, "missing")], /TRACELET_ERR_RUN_NOT_FOUND: No runs directory/],
      [["runs", "--dir", dir, "--where", "lr <"], /TRACELET_ERR_FILTER_INVALID: Filter "lr <": a value is missing/],
      [["runs", "--dir", dir, "--where", "lr < 1 and"], /TRACELET_ERR_FILTER_INVALID/],
      [["export", ids[0], "--dir", dir, "--format", "xml"], /unknown format "xml"/],
      [["compare", ids[0], "--dir", dir], /at least two runs/],
      [["report", ids[0], "--dir", dir], /--out/],
    ];
    for (const [args, message] of cases) {
      const r = runCli(args);
      expect(r.status, args.join(" ")).not.toBe(0);
      expect(r.stderr, args.join(" ")).toMatch(message);
      expect(r.stderr.trim().split("\n").length, args.join(" ")).toBeLessThanOrEqual(2);
    }
  });

  it("writes a self-contained report", async () => {
    const cwd = await tempDir();
    const { dir, ids } = await makeRuns(cwd, 2);
    const out = join(cwd, "r.html");
    expect(runCli(["report", ...ids, "--dir", dir, "--out", out]).status).toBe(0);
    const html = await readFile(out, "utf8");
    expect(html).toContain('id="tracelet-report"');
    expect(html).not.toMatch(/<script src=|<link rel="stylesheet" href=|https?:\/\/(?!www\.w3\.org)/);
  });

  it("starts a live run's reader without a summary: runs written before summaries are listed", async () => {
    const cwd = await tempDir();
    const exp = await startExperiment({ cwd, project: "p", logLevel: "silent" });
    exp.logMetric("x", 3, 0);
    await exp.stop();
    const { rm } = await import("node:fs/promises");
    await rm(join(exp.runDir, "summary.json"));
    const [run] = JSON.parse(runCli(["runs", "--dir", join(cwd, "tracelet-runs"), "--json"]).stdout);
    expect(run).toMatchObject({ id: exp.id, status: "finished" });
  });
});
