import { existsSync } from "node:fs";
import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startExperiment } from "../../src/index.js";
import { tempDir } from "../helpers/temp-dir.js";

/** A checkpoint folder holding `latest -> ../outside`, and the folder it points at. */
async function checkpointWithLink(cwd: string): Promise<{ ckpt: string; outside: string }> {
  const ckpt = join(cwd, "work", "ckpt");
  const outside = join(cwd, "work", "outside");
  await mkdir(ckpt, { recursive: true });
  await mkdir(outside, { recursive: true });
  await writeFile(join(ckpt, "model.bin"), "weights");
  await symlink("../outside", join(ckpt, "latest"));
  await writeFile(join(cwd, "pwn.txt"), "pwned");
  return { ckpt, outside };
}

describe("B12: logArtifact through a symlink inside an artifact folder", () => {
  it('refuses "ckpt/latest/pwn.txt" when ckpt/latest links outside the run, with TRACELET_ERR_ARTIFACT_PATH_INVALID', async () => {
    const cwd = await tempDir();
    const { ckpt, outside } = await checkpointWithLink(cwd);
    const exp = await startExperiment({ cwd, project: "p", runId: "r", logLevel: "silent" });
    await exp.logArtifact(ckpt, "ckpt");
    expect(await readFile(join(exp.runDir, "artifacts", "ckpt", "model.bin"), "utf8")).toBe("weights");
    await exp.logArtifact(join(cwd, "pwn.txt"), "ckpt/latest/pwn.txt").catch(() => undefined);
    await exp.logArtifact(join(cwd, "pwn.txt"), "ckpt/latest/deeper/pwn.txt").catch(() => undefined);
    const report = await exp.stop();
    expect(existsSync(join(outside, "pwn.txt"))).toBe(false);
    expect(existsSync(join(outside, "deeper"))).toBe(false);
    const refused = report.failures.filter((f) => f.hook === "logArtifact");
    expect(refused.map((f) => [f.plugin, f.code])).toContainEqual(["jsonl", "TRACELET_ERR_ARTIFACT_PATH_INVALID"]);
    expect(refused[0]?.message).toContain("symbolic link");
  });

  it("refuses a directory artifact merged into a folder through such a link", async () => {
    const cwd = await tempDir();
    const { ckpt, outside } = await checkpointWithLink(cwd);
    const payload = join(cwd, "payload");
    await mkdir(payload);
    await writeFile(join(payload, "pwn.txt"), "pwned");
    const exp = await startExperiment({ cwd, project: "p", runId: "r", logLevel: "silent" });
    await exp.logArtifact(ckpt, "ckpt");
    await exp.logArtifact(payload, "ckpt/latest").catch(() => undefined);
    await exp.stop();
    expect(existsSync(join(outside, "pwn.txt"))).toBe(false);
  });

  it("still writes through a link that stays inside the artifacts", async () => {
    const cwd = await tempDir();
    const exp = await startExperiment({ cwd, project: "p", runId: "r", logLevel: "silent" });
    const artifacts = join(exp.runDir, "artifacts");
    await mkdir(join(artifacts, "epoch-3"), { recursive: true });
    await symlink("epoch-3", join(artifacts, "best"));
    await writeFile(join(cwd, "m.bin"), "m");
    await exp.logArtifact(join(cwd, "m.bin"), "best/m.bin");
    const report = await exp.stop();
    expect(report.failures).toEqual([]);
    expect(await readFile(join(artifacts, "epoch-3", "m.bin"), "utf8")).toBe("m");
  });
});
