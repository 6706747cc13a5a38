import { spawnSync } from "node:child_process";
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PluginManager, startExperiment } from "../../src/index.js";
import { FlakyBackend } from "../fixtures/data-path/test-backends.js";
import { tempDir } from "../helpers/temp-dir.js";

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

afterEach(() => {
  FlakyBackend.failing = false;
});

/**
 * A run whose backend is down, with 200 points spooled in two segments: the first already read
 * (and kept in memory) by the failing attempts, the second not yet read and still open.
 */
async function twoSegmentsInAnOutage() {
  const cwd = await tempDir();
  const manager = new PluginManager({ cwd });
  manager.registerPlugin(FlakyBackend);
  FlakyBackend.failing = true;
  const exp = await startExperiment({
    cwd,
    manager,
    backends: ["flaky"],
    logLevel: "silent",
    batchSize: 50,
    retry: { initialDelayMs: 2, maxDelayMs: 10 },
    quarantineAfter: 1000,
  });
  for (let i = 0; i < 100; i++) exp.logMetric("m", i, i);
  await vi.waitFor(() => expect(exp.status().delivery.flaky.retries).toBeGreaterThan(1));
  for (let i = 100; i < 200; i++) exp.logMetric("m", i, i);
  await vi.waitFor(() => expect(exp.status().delivery.flaky.spooledPoints).toBe(200));
  const dir = join(exp.runDir, "spool", "flaky");
  const segments = readdirSync(dir)
    .filter((f) => f.endsWith(".tls"))
    .sort();
  expect(segments).toHaveLength(2);
  return { exp, dir, segments };
}

describe("a spool segment that vanishes before it is replayed", () => {
  it("is dropped (its points are gone) and delivery goes on, in order", async () => {
    const { exp, dir, segments } = await twoSegmentsInAnOutage();
    rmSync(join(dir, segments[1] as string));
    FlakyBackend.failing = false;
    await exp.flush();
    expect(FlakyBackend.last!.points.map((p) => p.step)).toEqual(range(0, 100));
    // Were the missing file waited for, every later point would queue behind it until the run ended.
    for (let i = 200; i < 300; i++) exp.logMetric("m", i, i);
    await exp.flush();
    expect(FlakyBackend.last!.points.map((p) => p.step)).toEqual([...range(0, 100), ...range(200, 300)]);
    expect(exp.status().delivery.flaky).toMatchObject({ queuedPoints: 0, spooledPoints: 0 });
    const report = await exp.stop();
    expect(report.spooled).toEqual({});
  });
});

describe("a spool segment deleted while it is still open for appends", () => {
  it("takes only the batches written before: later ones go to a new segment and are delivered", async () => {
    const { exp, dir, segments } = await twoSegmentsInAnOutage();
    rmSync(join(dir, segments[1] as string));
    // Still in the outage: these batches are spooled after the deletion.
    for (let i = 200; i < 300; i++) exp.logMetric("m", i, i);
    await vi.waitFor(() => expect(exp.status().delivery.flaky.spooledPoints).toBe(300));
    FlakyBackend.failing = false;
    await exp.flush();
    expect(FlakyBackend.last!.points.map((p) => p.step)).toEqual([...range(0, 100), ...range(200, 300)]);
    await exp.stop();
  });
});

// In a child process, so that pino's error lines can be counted on its stderr.
const STALLED_CHILD = `
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { BackendPlugin, PluginManager, startExperiment } from "${join(import.meta.dirname, "../../dist/index.js")}";
const cwd = process.argv[2];
let failing = true;
let calls = 0;
class Flaky extends BackendPlugin {
  static metadata = { name: "flaky", type: "backend" };
  logMetric() {}
  logMetrics() { calls++; if (failing) throw new Error("down"); }
}
const tick = () => new Promise((r) => setTimeout(r, 20));
const manager = new PluginManager({ cwd });
manager.registerPlugin(Flaky);
const exp = await startExperiment({ cwd, manager, backends: ["flaky"], logLevel: "error", batchSize: 50,
  retry: { initialDelayMs: 2, maxDelayMs: 10 }, quarantineAfter: 1000, timeouts: { flush: 300 } });
for (let i = 0; i < 100; i++) exp.logMetric("m", i, i);
while (calls < 2) await tick();
for (let i = 100; i < 200; i++) exp.logMetric("m", i, i);
while (exp.status().delivery.flaky.spooledPoints < 200) await tick();
const dir = join(exp.runDir, "spool", "flaky");
const second = readdirSync(dir).filter((f) => f.endsWith(".tls")).sort()[1];
rmSync(join(dir, second));
mkdirSync(join(dir, second)); // unreadable as a file (EISDIR), but there
failing = false;
for (let k = 0; k < 10; k++) {
  for (let i = 0; i < 50; i++) exp.logMetric("m", 200 + k * 50 + i, 200 + k * 50 + i);
  await tick();
}
await exp.flush();
process.stdout.write(JSON.stringify(exp.status().delivery.flaky));
process.exit(0);
`;

describe("a spool segment that cannot be read", () => {
  it("holds the queue (nothing behind it is lost) and is reported once, not once a batch", async () => {
    const cwd = await tempDir();
    const script = join(cwd, "stalled.mjs");
    writeFileSync(script, STALLED_CHILD);
    const out = spawnSync(process.execPath, [script, cwd], { encoding: "utf8" });
    expect(out.status, out.stderr).toBe(0);
    const status = JSON.parse(out.stdout);
    expect(status.spooledPoints).toBeGreaterThanOrEqual(600);
    const stalls = out.stderr.split("\n").filter((l) => l.includes("metric delivery stopped"));
    expect(stalls).toHaveLength(1);
    expect(stalls[0]).toContain("EISDIR");
  });
});
