import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isTraceletError, readMetrics, startExperiment } from "../src/index.js";
import { tempDir } from "./helpers/temp-dir.js";

const VARS = [
  "TRACELET_PROJECT",
  "TRACELET_BACKENDS",
  "TRACELET_COLLECTORS",
  "TRACELET_DIR",
  "TRACELET_RUN_ID",
  "TRACELET_ROLE",
  "TRACELET_WORKER_ID",
  "TRACELET_WORKER_COUNT",
];

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isTraceletError(error), String(error)).toBe(true);
  return (error as { code: string }).code;
}

describe("options from TRACELET_* variables", () => {
  afterEach(() => {
    for (const v of VARS) delete process.env[v];
  });

  it("reads project, backends, dir, run id, role and worker identity from the environment", async () => {
    const cwd = await tempDir();
    Object.assign(process.env, {
      TRACELET_PROJECT: "envproj",
      TRACELET_BACKENDS: " jsonl ,",
      TRACELET_DIR: "env-runs",
      TRACELET_RUN_ID: "run-42",
      TRACELET_ROLE: "worker",
      TRACELET_WORKER_ID: "3",
      TRACELET_WORKER_COUNT: "8",
    });
    const exp = await startExperiment({ cwd, logLevel: "silent" });
    exp.logMetric("m", 1, 0);
    await exp.stop();
    expect(exp.identity).toMatchObject({
      project: "envproj",
      runId: "run-42",
      role: "worker",
      workerId: 3,
      workerCount: 8,
    });
    expect(exp.runDir).toBe(join(cwd, "env-runs", "envproj", "run-42"));
    expect((await readMetrics(exp.runDir)).points).toHaveLength(1);
  });

  it("refuses a run id or project from the environment that would leave the runs directory", async () => {
    const cwd = await tempDir();
    process.env.TRACELET_RUN_ID = "../../escaped";
    expect(await codeOf(startExperiment({ cwd, logLevel: "silent" }))).toBe("TRACELET_ERR_OPTION_INVALID");
    delete process.env.TRACELET_RUN_ID;
    process.env.TRACELET_PROJECT = "../up";
    expect(await codeOf(startExperiment({ cwd, logLevel: "silent" }))).toBe("TRACELET_ERR_OPTION_INVALID");
    expect(existsSync(join(cwd, "escaped"))).toBe(false);
    expect(existsSync(join(cwd, "up"))).toBe(false);
  });

  it("refuses a malformed worker number with TRACELET_ERR_OPTION_INVALID", async () => {
    const cwd = await tempDir();
    process.env.TRACELET_WORKER_COUNT = "many";
    expect(await codeOf(startExperiment({ cwd, logLevel: "silent" }))).toBe("TRACELET_ERR_OPTION_INVALID");
  });

  it("lets an option passed as undefined fall through to the environment and package.json", async () => {
    const cwd = await tempDir();
    await writeFile(join(cwd, "package.json"), JSON.stringify({ name: "host", tracelet: { dir: "pkg-runs" } }));
    process.env.TRACELET_PROJECT = "fromenv";
    const exp = await startExperiment({ cwd, project: undefined, dir: undefined, logLevel: "silent" });
    await exp.stop();
    expect(exp.identity.project).toBe("fromenv");
    expect(exp.runDir.startsWith(join(cwd, "pkg-runs"))).toBe(true);
  });
});

describe("artifact paths", () => {
  it("refuses paths that would leave the run at the call site, and the backend carries on", async () => {
    const cwd = await tempDir();
    const file = join(cwd, "model.bin");
    await writeFile(file, "w");
    const exp = await startExperiment({ cwd, logLevel: "silent" });
    for (const bad of ["../../outside.txt", "a/../../b", "/etc/passwd", "C:\\x", "a\0b", "", ".", "..\\win"]) {
      expect(await codeOf(exp.logArtifact(file, bad)), bad).toBe("TRACELET_ERR_ARTIFACT_PATH_INVALID");
    }
    await exp.logArtifact(file, "./models//model.bin");
    const report = await exp.stop();
    expect(report.failures).toEqual([]);
    expect(existsSync(join(exp.runDir, "artifacts", "models", "model.bin"))).toBe(true);
    expect(existsSync(join(cwd, "outside.txt"))).toBe(false);
    expect(exp.status().plugins.find((p) => p.name === "jsonl")?.state).toBe("stopped");
  });
});
