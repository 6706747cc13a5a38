import { execFileSync } from "node:child_process";
import { describe, expect, it, vi } from "vitest";
import { MemoryBackend, withTestExperiment } from "../../src/testing/index.js";
import { tempDir } from "../helpers/temp-dir.js";

/** Process start-up and sampling take longer on a loaded machine: wait generously. */
const WAIT = { timeout: 15_000, interval: 20 };

describe("collectors end to end through startExperiment", () => {
  it("delivers system metrics and inventory params to a backend", async () => {
    const exp = await withTestExperiment({
      cwd: await tempDir(),
      collectors: ["system"],
      plugins: { system: { intervalMs: 100, gpu: false } },
    });
    const backend = MemoryBackend.last;
    await vi.waitFor(async () => {
      await exp.flush();
      expect(backend?.points.some((p) => p.name === "system/cpu_utilization_percentage")).toBe(true);
    }, WAIT);
    const report = await exp.stop();
    expect(report.failures).toEqual([]);
    const names = new Set(backend?.points.map((p) => p.name));
    for (const name of [
      "system/cpu_utilization_percentage",
      "system/memory_used_megabytes",
      "system/memory_utilization_percentage",
      "system/disk_usage_percentage",
      "system/network_receive_bytes_per_second",
      "system/process_memory_rss_megabytes",
    ])
      expect(names.has(name), name).toBe(true);
    const cpu = backend?.points.filter((p) => p.name === "system/cpu_utilization_percentage") ?? [];
    expect(cpu.map((p) => p.step)).toEqual(cpu.map((_, i) => i));
    expect(backend?.params["system.cpu_cores"]).toBeGreaterThan(0);
    expect(typeof backend?.params["system.cpu_model"]).toBe("string");
  });

  it("averages samplesBeforeLogging samples into each point, the last partial group included", async () => {
    const exp = await withTestExperiment({
      cwd: await tempDir(),
      collectors: ["system"],
      plugins: { system: { intervalMs: 100, samplesBeforeLogging: 3, gpu: false } },
    });
    const backend = MemoryBackend.last;
    const name = "system/memory_used_megabytes";
    await vi.waitFor(async () => {
      await exp.flush();
      expect(backend?.points.filter((p) => p.name === name).length).toBeGreaterThanOrEqual(2);
    }, WAIT);
    await exp.stop();
    const collects = exp.status().plugins.find((p) => p.name === "system")?.stats.calls.collect ?? 0;
    expect(collects).toBeGreaterThanOrEqual(6);
    expect(backend?.points.filter((p) => p.name === name)).toHaveLength(Math.ceil(collects / 3));
  });

  it("logs git and environment params and process metrics at start", async () => {
    const repo = await tempDir();
    const env = {
      ...process.env,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@t",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@t",
    };
    execFileSync("git", ["init", "-q"], { cwd: repo });
    execFileSync("git", ["commit", "-q", "--allow-empty", "-m", "init"], { cwd: repo, env });
    const exp = await withTestExperiment({
      cwd: await tempDir(),
      collectors: ["process", "git", "environment"],
      plugins: { process: { intervalMs: 100 }, git: { cwd: repo } },
    });
    const backend = MemoryBackend.last;
    // Collector params are gathered in the background; flush() waits for them.
    await exp.flush();
    expect(backend?.params["environment.node_version"]).toBe(process.version);
    expect(backend?.params["git.commit"]).toMatch(/^[0-9a-f]{40}$/);
    await vi.waitFor(async () => {
      await exp.flush();
      expect(backend?.points.some((p) => p.name === "process/memory_rss_megabytes")).toBe(true);
    }, WAIT);
    const report = await exp.stop();
    expect(report.failures).toEqual([]);
    expect(backend?.points.some((p) => p.name.startsWith("git") || p.name.startsWith("environment"))).toBe(false);
  });

  it("rejects an unknown option of a built-in collector", async () => {
    await expect(
      withTestExperiment({ cwd: await tempDir(), collectors: ["system"], plugins: { system: { bogus: 1 } } }),
    ).rejects.toMatchObject({ code: "TRACELET_ERR_CONFIG_INVALID" });
  });
});
