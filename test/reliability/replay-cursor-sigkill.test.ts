import { spawn } from "node:child_process";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { findSpools, replaySpool } from "../../src/core/data/replay-spool.js";
import { tempDir } from "../helpers/temp-dir.js";

const dist = resolve(import.meta.dirname, "../../dist/index.js");

// A run whose backend is down while 400 points are logged (all spooled), then comes back: the
// live process replays its spool 50 points a delivery, and announces the 4th delivery before
// writing it, so that the test can SIGKILL it exactly there.
const CHILD = `
import { appendFileSync } from "node:fs";
import { BackendPlugin, PluginManager, startExperiment } from ${JSON.stringify(dist)};
const [cwd, out] = process.argv.slice(2);
let failing = true;
let calls = 0;
class Slow extends BackendPlugin {
  static metadata = { name: "slow", type: "backend" };
  logMetric() {}
  async logMetrics(batch) {
    if (failing) throw new Error("down");
    if (++calls === 4) {
      process.stdout.write("KILLME\\n");
      await new Promise((r) => setTimeout(r, 60_000));
    }
    appendFileSync(out, batch.map((p) => p.step + "\\n").join(""));
  }
}
const manager = new PluginManager({ cwd });
manager.registerPlugin(Slow);
const exp = await startExperiment({ cwd, manager, backends: ["slow"], logLevel: "silent", batchSize: 50,
  runId: "r", retry: { initialDelayMs: 5, maxDelayMs: 20 } });
for (let i = 0; i < 400; i++) exp.logMetric("m", i, i, { timestamp: 1000 + i });
while (exp.status().delivery.slow.spooledPoints < 400) await new Promise((r) => setTimeout(r, 5));
failing = false;
await new Promise((r) => setTimeout(r, 60_000));
`;

describe("SIGKILL during the live process's spool replay, then sync (issue 12 B8)", () => {
  it("sync resumes exactly after the last batch the backend took: no point twice, none skipped, in order", async () => {
    const cwd = await tempDir();
    const out = join(cwd, "delivered.txt");
    writeFileSync(out, "");
    const script = join(cwd, "child.mjs");
    writeFileSync(script, CHILD);
    const child = spawn(process.execPath, [script, cwd, out], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((done, fail) => {
      child.stdout.on("data", (d: Buffer) => {
        if (d.toString().includes("KILLME")) child.kill("SIGKILL");
      });
      child.on("exit", (_code, signal) => (signal === "SIGKILL" ? done() : fail(new Error(`exit ${signal}`))));
    });
    const before = readFileSync(out, "utf8").split("\n").filter(Boolean).map(Number);
    expect(before).toEqual(Array.from({ length: 150 }, (_, i) => i));

    // What `tracelet sync` does for this backend.
    const spools = findSpools(join(cwd, "tracelet-runs", "default", "r"));
    expect(spools).toHaveLength(1);
    const timestamps: number[] = [];
    const backend = {
      logMetric() {},
      logMetrics(batch: { step: number; timestamp: number }[]) {
        appendFileSync(out, batch.map((p) => `${p.step}\n`).join(""));
        timestamps.push(...batch.map((p) => p.timestamp));
      },
    };
    const done = await replaySpool(spools[0], backend, 64);
    expect(done.points).toBe(250);
    const all = readFileSync(out, "utf8").split("\n").filter(Boolean).map(Number);
    expect(all).toEqual(Array.from({ length: 400 }, (_, i) => i));
    expect(timestamps).toEqual(Array.from({ length: 250 }, (_, i) => 1150 + i));
  });
});
