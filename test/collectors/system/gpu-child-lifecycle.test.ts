import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MemoryBackend, withTestExperiment } from "../../../src/testing/index.js";
import { tempDir } from "../../helpers/temp-dir.js";
import { alive } from "../helpers/context.js";

/** Process start-up and sampling take longer on a loaded machine: wait generously. */
const WAIT = { timeout: 15_000, interval: 20 };

const fixtures = join(import.meta.dirname, "../../fixtures/collectors");
const fakeDir = join(fixtures, "nvidia-smi");
const savedEnv = { ...process.env };
let log = "";

beforeEach(async () => {
  log = join(await tempDir(), "nvidia-smi.log");
  process.env.PATH = `${fakeDir}:${savedEnv.PATH}`;
  process.env.FAKE_NVIDIA_SMI_LOG = log;
});
afterEach(() => {
  process.env = { ...savedEnv };
});

describe("the nvidia-smi child inside a run", () => {
  it("GPU metrics reach the backend, and stop() leaves no child behind", async () => {
    const exp = await withTestExperiment({
      cwd: await tempDir(),
      collectors: ["system"],
      plugins: { system: { intervalMs: 100 } },
    });
    const backend = MemoryBackend.last;
    await vi.waitFor(async () => {
      await exp.flush();
      expect(backend?.points.some((p) => p.name === "system/gpu_3_power_limit_watts")).toBe(false);
      expect(backend?.points.some((p) => p.name === "system/gpu_0_utilization_percentage")).toBe(true);
    }, WAIT);
    expect(backend?.params["system.gpu_count"]).toBe(4);
    const pid = Number(readFileSync(log, "utf8").split(" ")[1]);
    expect(alive(pid)).toBe(true);
    await exp.stop();
    expect(alive(pid)).toBe(false);
  });

  // These spawn a Node process that imports dist/ (built by `npm test`).
  for (const how of ["exit", "throw", "sigterm"]) {
    it(`no child outlives a process that ends by ${how} without stop()`, async () => {
      const run = spawnSync(process.execPath, [join(fixtures, "exit-with-gpu-child.mjs"), await tempDir(), how], {
        encoding: "utf8",
        env: { ...process.env, FAKE_NVIDIA_SMI_IGNORE_EPIPE: "1" },
        timeout: 20_000,
      });
      const pid = Number(run.stdout.trim().split("\n")[0]);
      expect(pid, run.stderr).toBeGreaterThan(0);
      await vi.waitFor(() => expect(alive(pid)).toBe(false), WAIT);
    });
  }
});
