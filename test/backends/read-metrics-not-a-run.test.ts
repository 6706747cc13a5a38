import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { iterateMetrics, readMetrics, startExperiment } from "../../src/index.js";
import { tempDir } from "../helpers/temp-dir.js";

describe("names a new user tries", () => {
  it("exp.runId is the run id (the option, run.json and context.run all call it runId)", async () => {
    const cwd = await tempDir();
    const exp = await startExperiment({ cwd, runId: "r-1", logLevel: "silent" });
    expect(exp.runId).toBe("r-1");
    expect(exp.runId).toBe(exp.id);
    await exp.stop();
  });

  it('readMetrics("wrong/dir") is a coded error, not an empty run', async () => {
    const cwd = await tempDir();
    await expect(readMetrics(join(cwd, "wrong/dir"))).rejects.toMatchObject({ code: "TRACELET_ERR_RUN_NOT_FOUND" });
    await expect(readMetrics(cwd)).rejects.toMatchObject({ code: "TRACELET_ERR_RUN_NOT_FOUND" });
    await expect(iterateMetrics(cwd).next()).rejects.toMatchObject({ code: "TRACELET_ERR_RUN_NOT_FOUND" });
  });

  it("a real run with no points yet reads as empty", async () => {
    const cwd = await tempDir();
    const exp = await startExperiment({ cwd, logLevel: "silent" });
    await exp.stop();
    expect(await readMetrics(exp.runDir)).toEqual({ points: [], skipped: 0 });
  });
});
