import { existsSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isTraceletError, readMetrics, startExperiment } from "../src/index.js";
import { tempDir } from "./helpers/temp-dir.js";

async function expectCode(promise: Promise<unknown> | (() => unknown), code: string): Promise<void> {
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (error) {
    expect(isTraceletError(error), String(error)).toBe(true);
    expect((error as { code: string }).code).toBe(code);
    return;
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}

describe("startExperiment with the embedded jsonl backend", () => {
  it("writes run.json, metrics.jsonl, params.json and artifacts under <dir>/<project>/<runId>", async () => {
    const cwd = await tempDir();
    const exp = await startExperiment({ cwd, project: "mnist", name: "baseline", logLevel: "silent" });
    expect(exp.runDir).toBe(join(cwd, "tracelet-runs", "mnist", exp.id));
    exp.logMetric("loss", 0.42, 1);
    exp.logMetrics({ loss: 0.4, acc: 0.91 }, 2);
    exp.logParams({ lr: 1e-3, batchSize: 64, optimizer: { name: "adam" } });
    const model = join(cwd, "model.bin");
    await writeFile(model, "weights");
    await exp.logArtifact(model, "models/model.bin");
    await exp.flush();
    const report = await exp.stop();
    expect(report.failures).toEqual([]);

    const { points, skipped } = await readMetrics(exp.runDir);
    expect(skipped).toBe(0);
    expect(points.map((p) => [p.name, p.value, p.step])).toEqual([
      ["loss", 0.42, 1],
      ["loss", 0.4, 2],
      ["acc", 0.91, 2],
    ]);
    const params = JSON.parse(readFileSync(join(exp.runDir, "params.json"), "utf8"));
    expect(params).toEqual({ lr: 1e-3, batchSize: 64, "optimizer.name": "adam" });
    expect(readFileSync(join(exp.runDir, "artifacts/models/model.bin"), "utf8")).toBe("weights");
    const run = JSON.parse(readFileSync(join(exp.runDir, "run.json"), "utf8"));
    expect(run).toMatchObject({ project: "mnist", name: "baseline", runId: exp.id, status: "finished" });
  });

  it("stores non-finite values explicitly and reads them back", async () => {
    const cwd = await tempDir();
    const exp = await startExperiment({ cwd, logLevel: "silent" });
    exp.logMetric("a", Number.NaN, 0);
    exp.logMetric("a", Number.POSITIVE_INFINITY, 1);
    exp.logMetric("a", Number.NEGATIVE_INFINITY, 2);
    exp.logMetric("b", 12n, 0);
    await exp.stop();
    const text = readFileSync(join(exp.runDir, "metrics.jsonl"), "utf8");
    expect(text).not.toContain("null");
    expect(text).toContain('"value":"NaN"');
    const { points } = await readMetrics(exp.runDir);
    expect(points.map((p) => p.value)).toEqual([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 12]);
  });

  it("keeps an explicit step 0 and counts steps per metric without one", async () => {
    const cwd = await tempDir();
    const exp = await startExperiment({ cwd, logLevel: "silent" });
    exp.logMetric("x", 1);
    exp.logMetric("x", 2);
    exp.logMetric("y", 3, 0);
    exp.logMetric("y", 4);
    exp.logMetric("x", 5, 10);
    exp.logMetric("x", 6);
    await exp.stop();
    const { points } = await readMetrics(exp.runDir);
    expect(points.map((p) => `${p.name}@${p.step}`)).toEqual(["x@0", "x@1", "y@0", "y@1", "x@10", "x@11"]);
  });

  it("gives run ids that sort by start time", async () => {
    const cwd = await tempDir();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const exp = await startExperiment({ cwd, logLevel: "silent" });
      ids.push(exp.id);
      await exp.stop();
      await new Promise((r) => setTimeout(r, 2));
    }
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(3);
  });

  it("works with await using", async () => {
    const cwd = await tempDir();
    let dir = "";
    {
      await using exp = await startExperiment({ cwd, logLevel: "silent" });
      dir = exp.runDir;
      exp.logMetric("z", 1, 0);
    }
    expect((await readMetrics(dir)).points).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(dir, "run.json"), "utf8")).status).toBe("finished");
  });

  it("takes options from package.json, then the environment, then explicit options", async () => {
    const cwd = await tempDir();
    await writeFile(
      join(cwd, "package.json"),
      JSON.stringify({ name: "@acme/host", tracelet: { project: "from-pkg", dir: "pkg-runs" } }),
    );
    const a = await startExperiment({ cwd, logLevel: "silent" });
    await a.stop();
    expect(a.identity.project).toBe("from-pkg");
    expect(a.runDir.startsWith(join(cwd, "pkg-runs"))).toBe(true);
    process.env.TRACELET_PROJECT = "from-env";
    try {
      const b = await startExperiment({ cwd, logLevel: "silent" });
      await b.stop();
      expect(b.identity.project).toBe("from-env");
      const c = await startExperiment({ cwd, project: "explicit", logLevel: "silent" });
      await c.stop();
      expect(c.identity.project).toBe("explicit");
    } finally {
      delete process.env.TRACELET_PROJECT;
    }
  });
});

describe("bad input to the experiment path", () => {
  it("refuses unknown option keys with TRACELET_ERR_OPTION_INVALID", async () => {
    const cwd = await tempDir();
    await expectCode(startExperiment({ cwd, backendz: ["jsonl"] } as never), "TRACELET_ERR_OPTION_INVALID");
    await expectCode(startExperiment({ cwd, backends: "jsonl" } as never), "TRACELET_ERR_OPTION_INVALID");
    await expectCode(startExperiment({ cwd, project: "../escape" }), "TRACELET_ERR_OPTION_INVALID");
  });

  it("refuses an unknown plugin with TRACELET_ERR_PLUGIN_NOT_FOUND", async () => {
    const cwd = await tempDir();
    await expectCode(startExperiment({ cwd, backends: ["nope"], logLevel: "silent" }), "TRACELET_ERR_PLUGIN_NOT_FOUND");
  });

  it("refuses a config that fails the plugin's schema, naming every path", async () => {
    const cwd = await tempDir();
    try {
      await startExperiment({ cwd, logLevel: "silent", plugins: { jsonl: { dir: 5, fsync: "yes", extra: 1 } } });
      throw new Error("not thrown");
    } catch (error) {
      expect((error as { code: string }).code).toBe("TRACELET_ERR_CONFIG_INVALID");
      const message = (error as Error).message;
      expect(message).toContain("/dir");
      expect(message).toContain("/fsync");
      expect(message).toContain("/extra");
    }
  });

  it("throws TRACELET_ERR_INVALID_METRIC for a non-number, an empty name and a control character, logging nothing", async () => {
    const cwd = await tempDir();
    const exp = await startExperiment({ cwd, logLevel: "silent" });
    await expectCode(() => exp.logMetric("loss", "0.5" as never, 0), "TRACELET_ERR_INVALID_METRIC");
    await expectCode(() => exp.logMetric("", 1, 0), "TRACELET_ERR_INVALID_METRIC");
    await expectCode(() => exp.logMetric("a\nb", 1, 0), "TRACELET_ERR_INVALID_METRIC");
    await expectCode(() => exp.logMetric("x".repeat(251), 1, 0), "TRACELET_ERR_INVALID_METRIC");
    await expectCode(() => exp.logMetric("ok", 1, 1.5), "TRACELET_ERR_INVALID_METRIC");
    exp.logMetric("ok", 1, 0);
    await exp.stop();
    expect((await readMetrics(exp.runDir)).points.map((p) => p.name)).toEqual(["ok"]);
  });

  it("turns invalid metrics into a counted warning when asked", async () => {
    const cwd = await tempDir();
    const exp = await startExperiment({ cwd, logLevel: "silent", onInvalidMetric: "warn" });
    exp.logMetric("", 1);
    exp.logMetric("x", {} as never);
    exp.logMetric("good", 2, 0);
    expect(exp.status().invalidMetrics).toBe(2);
    await exp.stop();
    expect((await readMetrics(exp.runDir)).points).toHaveLength(1);
  });

  it("refuses a missing artifact with TRACELET_ERR_ARTIFACT_NOT_FOUND and keeps running", async () => {
    const cwd = await tempDir();
    const exp = await startExperiment({ cwd, logLevel: "silent" });
    await expectCode(exp.logArtifact(join(cwd, "missing.bin")), "TRACELET_ERR_ARTIFACT_NOT_FOUND");
    exp.logMetric("after", 1, 0);
    const report = await exp.stop();
    expect(report.failures).toEqual([]);
    expect((await readMetrics(exp.runDir)).points).toHaveLength(1);
  });

  it("makes stop() idempotent and refuses calls after it with TRACELET_ERR_RUN_STOPPED", async () => {
    const cwd = await tempDir();
    const exp = await startExperiment({ cwd, logLevel: "silent" });
    exp.logMetric("a", 1, 0);
    const [r1, r2] = await Promise.all([exp.stop(), exp.stop()]);
    expect(r2).toBe(r1);
    expect(await exp.stop()).toBe(r1);
    await expectCode(() => exp.logMetric("a", 2, 1), "TRACELET_ERR_RUN_STOPPED");
    await expectCode(() => exp.logMetrics({ a: 2 }, 1), "TRACELET_ERR_RUN_STOPPED");
    await expectCode(() => exp.logParams({ a: 1 }), "TRACELET_ERR_RUN_STOPPED");
    await expectCode(exp.logArtifact(cwd), "TRACELET_ERR_RUN_STOPPED");
    await expectCode(exp.flush(), "TRACELET_ERR_RUN_STOPPED");
    expect(exp.status().state).toBe("stopped");
    expect((await readMetrics(exp.runDir)).points).toHaveLength(1);
  });

  it("keeps a run directory per run even when two runs share a directory", async () => {
    const cwd = await tempDir();
    await mkdir(join(cwd, "tracelet-runs"), { recursive: true });
    const a = await startExperiment({ cwd, logLevel: "silent" });
    const b = await startExperiment({ cwd, logLevel: "silent" });
    a.logMetric("m", 1, 0);
    b.logMetric("m", 2, 0);
    await Promise.all([a.stop(), b.stop()]);
    expect(a.runDir).not.toBe(b.runDir);
    expect(existsSync(join(a.runDir, "metrics.jsonl"))).toBe(true);
    expect((await readMetrics(b.runDir)).points[0].value).toBe(2);
  });
});
