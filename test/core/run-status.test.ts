import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/temp-dir.js";

const script = resolve(import.meta.dirname, "../fixtures/run-status/run.mjs");

function runJson(runDir: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(runDir, "run.json"), "utf8"));
}

// Starts the script and resolves with its run directory once it has started.
function startWaiting(cwd: string): Promise<{ child: ChildProcess; runDir: string }> {
  const child = spawn(process.execPath, [script, cwd, "wait"], { stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((done, fail) => {
    let out = "";
    child.on("exit", (code) => fail(new Error(`exited early (${code}): ${out}`)));
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const runDir = /ready (.+)\n/.exec(out)?.[1];
      if (runDir) done({ child, runDir });
    });
  });
}

function exited(child: ChildProcess): Promise<NodeJS.Signals | null> {
  return new Promise((r) => child.on("exit", (_code, signal) => r(signal)));
}

describe("run.json says how the run ended", () => {
  it("stop(): finished, with an end time", async () => {
    const cwd = await tempDir();
    const run = spawnSync(process.execPath, [script, cwd, "stop"], { encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    const json = runJson(join(cwd, "tracelet-runs/status/run-stop"));
    expect(json).toMatchObject({ status: "finished", pid: run.pid });
    expect(typeof json.endedAt).toBe("string");
    expect(json.signal).toBeUndefined();
  });

  it.each(["SIGINT", "SIGTERM"] as const)("%s: interrupted, with the signal", async (signal) => {
    const { child, runDir } = await startWaiting(await tempDir());
    const exit = exited(child);
    child.kill(signal);
    expect(await exit).toBe(signal);
    expect(runJson(runDir)).toMatchObject({ status: "interrupted", signal });
  });

  it("an uncaught exception: failed, with the error's code and message; Node still reports it", async () => {
    const cwd = await tempDir();
    const run = spawnSync(process.execPath, [script, cwd, "throw"], { encoding: "utf8" });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("CUDA out of memory");
    expect(runJson(join(cwd, "tracelet-runs/status/run-throw"))).toMatchObject({
      status: "failed",
      error: { code: "ERR_OUT_OF_MEMORY", message: "CUDA out of memory" },
    });
  });

  it("an unhandled rejection: failed, the error's class name standing for a missing code", async () => {
    const cwd = await tempDir();
    const run = spawnSync(process.execPath, [script, cwd, "reject"], { encoding: "utf8" });
    expect(run.status).toBe(1);
    expect(runJson(join(cwd, "tracelet-runs/status/run-reject"))).toMatchObject({
      status: "failed",
      error: { code: "TypeError", message: "bad batch" },
    });
  });

  it("SIGKILL: still running, with a pid that is gone and a heartbeat to judge it by (a crash)", async () => {
    const { child, runDir } = await startWaiting(await tempDir());
    const exit = exited(child);
    child.kill("SIGKILL");
    expect(await exit).toBe("SIGKILL");
    const json = runJson(runDir);
    expect(json).toMatchObject({ status: "running", pid: child.pid, heartbeatIntervalMs: 10_000 });
    expect(Date.parse(String(json.heartbeatAt))).not.toBeNaN();
    expect(typeof json.hostname).toBe("string");
    expect(() => process.kill(child.pid as number, 0)).toThrow();
  });
});
