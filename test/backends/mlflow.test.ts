import { readdirSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startExperiment } from "../../src/index.js";
import { tempDir } from "../helpers/temp-dir.js";
import { FakeMlflowServer } from "./mlflow/fake-mlflow-server.js";

let server: FakeMlflowServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function fake(): Promise<FakeMlflowServer> {
  server = await new FakeMlflowServer().start();
  return server;
}

function readTree(dir: string): string {
  let text = "";
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) text += readFileSync(join(e.parentPath, e.name), "utf8");
  }
  return text;
}

describe("the mlflow backend (against a strict fake tracking server)", () => {
  it("logs every point once, in order, with its own timestamp and step, in requests within MLflow's limits; NaN, ±Infinity, '/' and unicode names", async () => {
    const s = await fake();
    s.token = "s3cr3t-token";
    const cwd = await tempDir();
    const exp = await startExperiment({
      cwd,
      project: "p",
      logLevel: "silent",
      backends: ["mlflow"],
      batchSize: 2500,
      plugins: { mlflow: { trackingUri: s.url, token: "s3cr3t-token" } },
    });
    const names = ["train/loss", "éval/précision", "ok✓"];
    const values = [0.1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -2.5e-300, 1 / 3];
    const before = Date.now();
    for (let i = 0; i < 5000; i++) exp.logMetric(names[i % 3] as string, values[i % values.length] as number, i);
    exp.logParams({ lr: 0.01, model: { depth: 3 } });
    await exp.setTags({ team: "vision" });
    await exp.stop();
    const after = Date.now();
    const run = [...s.runs.values()][0];
    expect(s.runs.size).toBe(1);
    expect(run?.metrics).toHaveLength(5000);
    run?.metrics.forEach((m, i) => {
      const name = names[i % 3] as string;
      expect(m.key).toBe(name === "ok✓" ? "ok_" : name);
      expect(m.value).toBe(values[i % values.length]);
      expect(m.step).toBe(i);
      expect(m.timestamp).toBeGreaterThanOrEqual(before);
      expect(m.timestamp).toBeLessThanOrEqual(after);
    });
    const batches = s.requests.filter((r) => r.path.endsWith("runs/log-batch"));
    expect(batches.length).toBeGreaterThanOrEqual(5);
    for (const b of batches) expect(b.bytes).toBeLessThan(1_000_000);
    expect(Object.fromEntries(run?.params ?? [])).toEqual({ lr: "0.01", "model.depth": "3" });
    expect(run?.tags.get("team")).toBe("vision");
    expect(run?.tags.get("tracelet.runId")).toBe(exp.id);
    expect(run?.status).toBe("FINISHED");
    expect(s.requests.every((r) => r.authorization === "Bearer s3cr3t-token")).toBe(true);
    // The token is in no request body, no run file, no status.
    expect(s.bodies.join("\n")).not.toContain("s3cr3t");
    expect(readTree(cwd)).not.toContain("s3cr3t");
    expect(JSON.stringify(exp.status())).not.toContain("s3cr3t");
  });

  it("keeps each point's own timestamp", async () => {
    const s = await fake();
    const cwd = await tempDir();
    const exp = await startExperiment({
      cwd,
      logLevel: "silent",
      backends: ["mlflow"],
      plugins: { mlflow: { trackingUri: s.url } },
    });
    exp.logMetric("x", 1, 3, { timestamp: 1_600_000_000_123 });
    await exp.stop();
    expect([...s.runs.values()][0]?.metrics).toEqual([{ key: "x", value: 1, step: 3, timestamp: 1_600_000_000_123 }]);
  });

  it("a server answering 503 is an outage: retried, nothing lost or duplicated, also when a batch failed midway", async () => {
    const s = await fake();
    s.token = "tok-9f8e7d";
    const cwd = await tempDir();
    const exp = await startExperiment({
      cwd,
      logLevel: "silent",
      backends: ["mlflow"],
      batchSize: 2500,
      retry: { initialDelayMs: 20, maxDelayMs: 50 },
      quarantineAfter: 1000,
      plugins: { mlflow: { trackingUri: s.url, token: "tok-9f8e7d" } },
    });
    for (let i = 0; i < 2500; i++) exp.logMetric("m", i, i);
    await exp.flush();
    // The 2nd request of the next batch fails: its 1st request (1000 points) must not be sent again.
    s.failLogBatchAt = 2;
    for (let i = 2500; i < 5000; i++) exp.logMetric("m", i, i);
    for (let i = 0; i < 100 && !exp.status().delivery.mlflow?.outage; i++) await new Promise((r) => setTimeout(r, 20));
    expect(exp.status().delivery.mlflow).toMatchObject({ outage: true });
    s.down = true;
    for (let i = 5000; i < 6000; i++) exp.logMetric("m", i, i);
    await new Promise((r) => setTimeout(r, 100));
    // Spooled meanwhile, without the token.
    expect(readdirSync(join(exp.runDir, "spool", "mlflow")).length).toBeGreaterThan(1);
    expect(readTree(cwd)).not.toContain("tok-9f8e7d");
    s.down = false;
    await exp.stop();
    const steps = [...s.runs.values()][0]?.metrics.map((m) => m.step);
    expect(steps).toEqual(Array.from({ length: 6000 }, (_, i) => i));
  });

  it("a server down at start: the run is created with the first delivery once it answers", async () => {
    const s = await fake();
    s.down = true;
    const cwd = await tempDir();
    const exp = await startExperiment({
      cwd,
      logLevel: "silent",
      backends: ["mlflow"],
      retry: { initialDelayMs: 20, maxDelayMs: 50 },
      quarantineAfter: 1000,
      plugins: { mlflow: { trackingUri: s.url } },
    });
    exp.logMetric("m", 1, 0);
    await new Promise((r) => setTimeout(r, 150));
    s.down = false;
    await exp.stop();
    expect([...s.runs.values()].map((r) => r.metrics.length)).toEqual([1]);
  });

  it("params are immutable: a changed value is reported once, not retried", async () => {
    const s = await fake();
    const cwd = await tempDir();
    const errors: unknown[] = [];
    const exp = await startExperiment({
      cwd,
      logLevel: "silent",
      backends: ["mlflow"],
      plugins: { mlflow: { trackingUri: s.url } },
    });
    exp.hooks.error.tap("test", (e: unknown) => void errors.push(e));
    exp.logParams({ lr: 0.1 });
    await exp.flush();
    exp.logParams({ lr: 0.2 });
    await exp.flush();
    await exp.stop();
    expect(Object.fromEntries([...s.runs.values()][0]?.params ?? [])).toEqual({ lr: "0.1" });
    expect(JSON.stringify(errors)).toContain("immutable");
    const paramRequests = s.bodies.filter((b) => b.includes('"params":[{'));
    expect(paramRequests).toHaveLength(1);
  });

  it("uploads artifacts through the mlflow-artifacts proxy", async () => {
    const s = await fake();
    const cwd = await tempDir();
    await mkdir(join(cwd, "out/sub"), { recursive: true });
    await writeFile(join(cwd, "out/a.txt"), "A");
    await writeFile(join(cwd, "out/sub/b.txt"), "B");
    const exp = await startExperiment({
      cwd,
      logLevel: "silent",
      backends: ["mlflow"],
      plugins: { mlflow: { trackingUri: s.url } },
    });
    await exp.logArtifact(join(cwd, "out"), "model");
    await exp.stop();
    const run = [...s.runs.values()][0];
    const root = `${run?.experimentId}/${run?.runId}/artifacts`;
    expect([...s.artifacts.keys()].sort()).toEqual([`${root}/model/a.txt`, `${root}/model/sub/b.txt`]);
    expect(s.artifacts.get(`${root}/model/sub/b.txt`)?.toString()).toBe("B");
  });

  it("finds the experiment by name and reuses it; a second run of the same project joins it", async () => {
    const s = await fake();
    const cwd = await tempDir();
    for (let r = 0; r < 2; r++) {
      const exp = await startExperiment({
        cwd,
        project: "shared",
        logLevel: "silent",
        backends: ["mlflow"],
        plugins: { mlflow: { trackingUri: s.url } },
      });
      exp.logMetric("m", r, 0);
      await exp.stop();
    }
    expect([...s.experiments.keys()]).toEqual(["shared"]);
    expect(s.runs.size).toBe(2);
  });

  it("rejects a bad config with a coded error naming the key", async () => {
    const cwd = await tempDir();
    await expect(
      startExperiment({
        cwd,
        logLevel: "silent",
        backends: ["mlflow"],
        plugins: { mlflow: { trackingUri: "ftp://x" } },
      }),
    ).rejects.toMatchObject({ code: "TRACELET_ERR_CONFIG_INVALID", message: expect.stringContaining("trackingUri") });
  });
});
