import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { appendFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MetricChunk } from "../../src/core/data/metric-chunk.js";
import { Spool } from "../../src/core/data/spool.js";
import { type RunIdentity, readMetrics, startExperiment } from "../../src/index.js";
import { ROOT, runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp-dir.js";

const root = ROOT;
const cli = (...args: string[]) => runCli(args);

describe("tracelet sync", () => {
  it("appends a run's spooled points after what the jsonl file already holds, then removes the spool", async () => {
    const cwd = await tempDir();
    const exp = await startExperiment({ cwd, logLevel: "silent", runId: "r1" });
    exp.logMetric("m", 0, 0);
    await exp.stop();
    const spool = new Spool(join(exp.runDir, "spool", "jsonl"), { plugin: "jsonl", config: {}, run: exp.identity });
    const names: string[] = [];
    let seg = spool.append(
      undefined,
      MetricChunk.fromRecords([{ name: "m", value: 1, step: 1, timestamp: 5 }], 2, names),
    );
    seg = spool.append(seg, MetricChunk.fromRecords([{ name: "m", value: 2, step: 2, timestamp: 6 }], 3, names));
    spool.seal(seg);
    await appendFile(seg.path, '{"name":"m","value":3,"st');
    const out = cli("sync", exp.runDir);
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toContain("jsonl: 2 points from 1 spool file(s)");
    const { points } = await readMetrics(exp.runDir);
    expect(points.map((p) => [p.step, p.timestamp > 1000 ? "t" : p.timestamp])).toEqual([
      [0, "t"],
      [1, 5],
      [2, 6],
    ]);
    expect(existsSync(join(exp.runDir, "spool", "jsonl"))).toBe(false);
  });

  it("says there is nothing to do for a run without a spool, and shows usage without a run dir", async () => {
    const cwd = await tempDir();
    expect(cli("sync", cwd).stdout).toContain("nothing to replay");
    expect(cli("sync").status).toBe(2);
  });

  it("fails (exit 1) for a spool whose backend is unknown, leaving it in place", async () => {
    const cwd = await tempDir();
    const dir = join(cwd, "spool", "ghost");
    const spool = new Spool(dir, { plugin: "ghost", config: {}, run: { runDir: cwd } as RunIdentity });
    spool.seal(spool.append(undefined, MetricChunk.fromRecords([{ name: "m", value: 1, step: 1, timestamp: 1 }], 1)));
    const out = cli("sync", cwd);
    expect(out.status).toBe(1);
    expect(out.stderr).toContain("TRACELET_ERR_PLUGIN_NOT_FOUND");
    expect(readdirSync(dir).filter((f) => f.endsWith(".tls"))).toHaveLength(1);
  });
});

describe("tracelet sync options and deadlines", () => {
  it("refuses a malformed --config with TRACELET_ERR_OPTION_INVALID, not a raw SyntaxError", async () => {
    const cwd = await tempDir();
    for (const config of ["{not json", "[1]", "42"]) {
      const out = cli("sync", cwd, "--config", config);
      expect(out.status).toBe(1);
      expect(out.stderr).toContain("TRACELET_ERR_OPTION_INVALID");
      expect(out.stderr).not.toContain("SyntaxError");
    }
    expect(cli("sync", cwd, "--timeout", "soon").stderr).toContain("TRACELET_ERR_OPTION_INVALID");
  });

  it("bounds each backend call: a backend that never settles fails with TRACELET_ERR_HOOK_TIMEOUT", async () => {
    const project = await tempDir();
    const pkg = join(project, "node_modules", "tracelet-plugin-stuck");
    await mkdir(pkg, { recursive: true });
    await writeFile(join(project, "package.json"), JSON.stringify({ name: "host", version: "1.0.0", private: true }));
    await writeFile(
      join(pkg, "package.json"),
      JSON.stringify({
        name: "tracelet-plugin-stuck",
        version: "1.0.0",
        type: "module",
        tracelet: { engine: "^1.0.0", plugins: [{ name: "stuck", type: "backend", entry: "./index.js", export: "S" }] },
      }),
    );
    await writeFile(
      join(pkg, "index.js"),
      "export class S {\n  logMetric() {}\n  logMetrics() { return new Promise(() => {}); }\n}\n",
    );
    const runDir = await tempDir();
    const dir = join(runDir, "spool", "stuck");
    const run: RunIdentity = {
      project: "p",
      name: "r",
      runId: "r",
      role: "main",
      workerId: 0,
      workerCount: 1,
      tags: {},
      runDir,
    };
    const spool = new Spool(dir, { plugin: "stuck", config: {}, run });
    spool.seal(spool.append(undefined, MetricChunk.fromRecords([{ name: "m", value: 1, step: 1, timestamp: 1 }], 1)));
    const out = spawnSync(process.execPath, [join(root, "dist/cli/main.js"), "sync", runDir, "--timeout", "200"], {
      cwd: project,
      encoding: "utf8",
    });
    expect(out.status, out.stderr).toBe(1);
    expect(out.stderr).toContain("TRACELET_ERR_HOOK_TIMEOUT");
    expect(readdirSync(dir).filter((f) => f.endsWith(".tls"))).toHaveLength(1);
  });
});
