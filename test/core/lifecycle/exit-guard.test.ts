import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { isProcessAlive } from "../../../src/core/lifecycle/force-cleanup.js";
import { BackendPlugin } from "../../../src/index.js";
import { withTestExperiment } from "../../../src/testing/index.js";
import { tempDir } from "../../helpers/temp-dir.js";

const dist = resolve("dist");
const fixture = resolve("test/fixtures/lifecycle/sleep-owner.mjs");

const spawned: ChildProcess[] = [];
afterEach(() => {
  // A failed test must not leave its parent (and so its `sleep`) behind.
  for (const p of spawned.splice(0)) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
});

interface Started {
  parent: ChildProcess;
  child: number;
  stderr: () => string;
}

async function startParent(ending: string, stop: string, cleanup: string): Promise<Started> {
  expect(existsSync(join(dist, "index.js")), "build dist/ first (npm test does)").toBe(true);
  const parent = spawn(process.execPath, [fixture, dist, ending, stop, cleanup], {
    cwd: await tempDir(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  spawned.push(parent);
  let err = "";
  parent.stderr?.on("data", (d) => {
    err += String(d);
  });
  let out = "";
  const child = await new Promise<number>((res, rej) => {
    parent.stdout?.on("data", (d) => {
      out += String(d);
      const line = out.split("\n")[0];
      if (out.includes("\n") && line) res(JSON.parse(line).child);
    });
    parent.on("exit", (code) => rej(new Error(`parent exited (${code}) before starting: ${err}`)));
  });
  expect(Number.isInteger(child)).toBe(true);
  expect(isProcessAlive(child)).toBe(true);
  return { parent, child, stderr: () => err };
}

async function expectGone(pid: number): Promise<void> {
  try {
    await vi.waitFor(() => expect(isProcessAlive(pid)).toBe(false), { timeout: 10_000, interval: 50 });
  } finally {
    if (isProcessAlive(pid)) process.kill(pid, "SIGKILL");
  }
}

describe("the lifecycle-aware protocol: no child outlives the run", () => {
  it.each([
    ["SIGTERM", "forget", "kill"],
    ["SIGTERM", "forget", "noop"],
    ["SIGTERM", "hang", "noop"],
    ["SIGINT", "forget", "noop"],
  ] as const)(
    "after %s to the parent (stop: %s, forceCleanup: %s); the signal still ends it",
    async (sig, stop, cleanup) => {
      const { parent, child } = await startParent("wait", stop, cleanup);
      const exited = once(parent, "exit");
      parent.kill(sig);
      const [code, signal] = await exited;
      expect({ code, signal }).toEqual({ code: null, signal: sig });
      await expectGone(child);
    },
  );

  it.each([
    ["forget", "kill"],
    ["forget", "noop"],
  ])("after process.exit() without stop() (stop: %s, forceCleanup: %s)", async (stop, cleanup) => {
    const { parent, child } = await startParent("exit", stop, cleanup);
    const [code] = await once(parent, "exit");
    expect(code).toBe(0);
    await expectGone(child);
  });

  it("after an uncaught exception, which still ends the process with its error", async () => {
    const { parent, child, stderr } = await startParent("throw", "forget", "noop");
    const [code] = await once(parent, "exit");
    expect(code).toBe(1);
    expect(stderr()).toContain("uncaught in the training loop");
    await expectGone(child);
  });
});

describe("a normal stop()", () => {
  it("force-cleans a lifecycle-aware plugin that left a child running", async () => {
    let pid = 0;
    let cleaned = 0;
    class Leaky extends BackendPlugin {
      static metadata = { name: "leaky", type: "backend" as const };
      child: ChildProcess | undefined;
      override start() {
        this.child = spawn("sleep", ["300"], { stdio: "ignore" });
        pid = this.child.pid ?? 0;
      }
      logMetric() {}
      override getChildPids() {
        return pid ? [pid] : [];
      }
      override forceCleanup() {
        cleaned++;
      }
    }
    const exp = await withTestExperiment({ cwd: await tempDir(), backends: ["memory", "leaky"] }, [Leaky]);
    expect(isProcessAlive(pid)).toBe(true);
    const report = await exp.stop();
    expect(report.failures).toEqual([]);
    expect(cleaned).toBe(1);
    await expectGone(pid);
  });
});
