import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startExperiment } from "../../src/index.js";
import { tempDir } from "../helpers/temp-dir.js";

afterEach(() => vi.unstubAllEnvs());

describe("B13: a run id that names a directory above the run", () => {
  for (const runId of [".", ".."]) {
    it(`refuses runId ${JSON.stringify(runId)} as an option, with TRACELET_ERR_OPTION_INVALID, writing nothing`, async () => {
      const cwd = await tempDir();
      await expect(
        startExperiment({ cwd, project: "p", runId, backends: ["jsonl"], logLevel: "silent" }),
      ).rejects.toMatchObject({ code: "TRACELET_ERR_OPTION_INVALID" });
      expect(existsSync(join(cwd, "tracelet-runs")) ? readdirSync(join(cwd, "tracelet-runs")) : []).toEqual([]);
    });

    it(`refuses TRACELET_RUN_ID=${runId}`, async () => {
      const cwd = await tempDir();
      vi.stubEnv("TRACELET_RUN_ID", runId);
      await expect(
        startExperiment({ cwd, project: "p", backends: ["jsonl"], logLevel: "silent" }),
      ).rejects.toMatchObject({
        code: "TRACELET_ERR_OPTION_INVALID",
        message: expect.stringContaining("TRACELET_"),
      });
    });
  }

  it("still takes ids made of dots and other characters", async () => {
    const cwd = await tempDir();
    const exp = await startExperiment({ cwd, project: "p", runId: "...v1.2", backends: ["jsonl"], logLevel: "silent" });
    await exp.stop();
    expect(exp.runDir).toBe(join(cwd, "tracelet-runs", "p", "...v1.2"));
  });
});

describe("a role that names a path outside the run", () => {
  for (const role of ["../../../../x", "a/b", "a.b"]) {
    it(`refuses role ${JSON.stringify(role)} as an option and as TRACELET_ROLE, writing nothing`, async () => {
      const cwd = await tempDir();
      await expect(
        startExperiment({ cwd, project: "p", role, backends: ["jsonl"], logLevel: "silent" }),
      ).rejects.toMatchObject({ code: "TRACELET_ERR_OPTION_INVALID" });
      vi.stubEnv("TRACELET_ROLE", role);
      await expect(
        startExperiment({ cwd, project: "p", backends: ["jsonl"], logLevel: "silent" }),
      ).rejects.toMatchObject({ code: "TRACELET_ERR_OPTION_INVALID", message: expect.stringContaining("TRACELET_") });
      expect(existsSync(join(cwd, "tracelet-runs")) ? readdirSync(join(cwd, "tracelet-runs")) : []).toEqual([]);
      expect(readdirSync(cwd)).toEqual([]);
    });
  }
});
