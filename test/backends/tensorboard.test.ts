import { readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startExperiment } from "../../src/index.js";
import { tempDir } from "../helpers/temp-dir.js";
import { decodeBytes, decodeRunFolder, first, type TextMessage, textOf } from "./tensorboard/read-events.js";

const scalars = (events: TextMessage[]) =>
  events.flatMap((e) => {
    const value = ((e.summary?.[0] as TextMessage | undefined)?.value?.[0] ?? undefined) as TextMessage | undefined;
    if (!value?.simple_value) return [];
    return [
      {
        tag: textOf(value.tag?.[0]),
        // protoc prints a float's shortest form: back to float32 to compare with what was logged.
        value: Math.fround(
          Number(
            String(value.simple_value[0])
              .replace(/^inf$/, "Infinity")
              .replace(/^-inf$/, "-Infinity"),
          ),
        ),
        step: Number(e.step?.[0] ?? 0),
        wallTime: Number(e.wall_time?.[0]),
      },
    ];
  });

/** A run of project "p" with the tensorboard backend alone, writing under `logdir`. */
const startTensorboard = (cwd: string, logdir: string, options: { batchSize?: number } = {}, config = {}) =>
  startExperiment({
    cwd,
    project: "p",
    logLevel: "silent",
    backends: ["tensorboard"],
    ...options,
    plugins: { tensorboard: { logdir, ...config } },
  });

describe("the tensorboard backend (read back with protoc and python3-crc32c)", () => {
  it("writes every point once, in order, with its own wall time and step; NaN, ±Infinity, '/' and unicode names", async () => {
    const cwd = await tempDir();
    const logdir = join(cwd, "tb");
    const exp = await startTensorboard(cwd, logdir, { batchSize: 100 });
    const names = ["train/loss", "éval/précision✓", "a"];
    const values = [0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -2.25, 1e-3];
    const logged: Array<{ tag: string; value: number; step: number }> = [];
    const before = Date.now();
    for (let i = 0; i < 1000; i++) {
      const tag = names[i % names.length] as string;
      const value = values[i % values.length] as number;
      exp.logMetric(tag, value, i);
      logged.push({ tag, value: Math.fround(value), step: i });
    }
    await exp.stop();
    const after = Date.now();
    const { files, events } = decodeRunFolder(join(logdir, "p", exp.id));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^events\.out\.tfevents\.\d{10}\./);
    expect(textOf(events[0]?.file_version?.[0])).toBe("brain.Event:2");
    const got = scalars(events);
    expect(got.map(({ tag, value, step }) => ({ tag, value, step }))).toEqual(logged);
    for (const p of got) {
      expect(p.wallTime * 1000).toBeGreaterThanOrEqual(before - 1);
      expect(p.wallTime * 1000).toBeLessThanOrEqual(after + 1);
    }
  });

  it("encodes steps at every varint boundary and names up to the longest accepted (multi-byte lengths)", async () => {
    const cwd = await tempDir();
    const logdir = join(cwd, "tb");
    const exp = await startTensorboard(cwd, logdir);
    // 250 UTF-16 units: 250, 500 and 750 UTF-8 bytes (value and summary lengths of two bytes).
    const names = ["x".repeat(250), "é".repeat(250), "✓".repeat(250), "𝔘".repeat(125), "m"];
    const steps = [0, 127, 128, 16_383, 16_384, 2 ** 21 - 1, 2 ** 21, 2 ** 28, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 5];
    steps.push(2 ** 35 + 3, 2 ** 49 + 1, Number.MAX_SAFE_INTEGER);
    const logged: Array<{ tag: string; value: number; step: number }> = [];
    for (const [n, tag] of names.entries())
      for (const [k, step] of steps.entries()) {
        const value = n * 100 + k + 0.25;
        exp.logMetric(tag, value, step);
        logged.push({ tag, value, step });
      }
    await exp.stop();
    const got = scalars(decodeRunFolder(join(logdir, "p", exp.id)).events);
    expect(got.map(({ tag, value, step }) => ({ tag, value, step }))).toEqual(logged);
  });

  it("keeps each point's own timestamp (a replay writes the time logMetric was called)", async () => {
    const cwd = await tempDir();
    const logdir = join(cwd, "tb");
    const { TensorboardBackend } = await import("../../src/backends/tensorboard/tensorboard-backend.js");
    const exp = await startExperiment({
      cwd,
      logLevel: "silent",
      backends: ["tensorboard"],
      plugins: { tensorboard: { logdir } },
    });
    await exp.stop();
    const backend = new TensorboardBackend();
    const { createLogger } = await import("../../src/core/logger.js");
    await backend.initialize(
      { logdir },
      {
        name: "tensorboard",
        logger: createLogger({ level: "silent" }),
        signal: new AbortController().signal,
        run: { project: "q", name: "q", runId: "r1", role: "main", workerId: 0, workerCount: 1, tags: {}, runDir: cwd },
      },
    );
    backend.start();
    backend.logMetrics([
      { name: "x", value: 1, step: 7, timestamp: 1_700_000_000_123 },
      { name: "x", value: 2, step: 9, timestamp: 1_600_000_000_500 },
    ]);
    await backend.stop();
    const got = scalars(decodeRunFolder(join(logdir, "q", "r1")).events);
    expect(got).toEqual([
      { tag: "x", value: 1, step: 7, wallTime: 1_700_000_000.123 },
      { tag: "x", value: 2, step: 9, wallTime: 1_600_000_000.5 },
    ]);
  });

  it("writes params as a text summary and as the HParams plugin's session_start_info", async () => {
    const cwd = await tempDir();
    const logdir = join(cwd, "tb");
    const exp = await startTensorboard(cwd, logdir);
    exp.logParams({ lr: 0.01, optimizer: "adam|w", deep: true });
    await exp.stop();
    const { events } = decodeRunFolder(join(logdir, "p", exp.id));
    const values = events.flatMap((e) => ((e.summary?.[0] as TextMessage | undefined)?.value ?? []) as TextMessage[]);
    const text = values.find((v) => textOf(v.tag?.[0]) === "params") as TextMessage;
    const plugin = (m: TextMessage) => textOf(first(m, "metadata", "plugin_data", "plugin_name"));
    expect(plugin(text)).toBe("text");
    const table = textOf(first(text, "tensor", "string_val"));
    expect(table).toContain("| lr | 0.01 |");
    expect(table).toContain("| optimizer | adam\\|w |");
    const hp = values.find((v) => textOf(v.tag?.[0]) === "_hparams_/session_start_info") as TextMessage;
    expect(plugin(hp)).toBe("hparams");
    const content = first(hp, "metadata", "plugin_data", "content") as string;
    const decoded = decodeBytes(content.replace(/^"|"$/g, ""), "tb.HParamsPluginData");
    const start = decoded.session_start_info?.[0] as TextMessage;
    const hparams = Object.fromEntries(
      (start.hparams as TextMessage[]).map((e) => [textOf(e.key?.[0]), e.value?.[0] as TextMessage]),
    );
    expect(hparams.lr?.number_value).toEqual(["0.01"]);
    expect(hparams.deep?.bool_value).toEqual(["true"]);
    expect(textOf(hparams.optimizer?.string_value?.[0])).toBe("adam|w");
    expect(textOf(start.group_name?.[0])).toBe(exp.id);
  });

  it("rotates files past maxFileBytes, each starting with the file version; TensorBoard's name order is write order", async () => {
    const cwd = await tempDir();
    const logdir = join(cwd, "tb");
    const exp = await startTensorboard(cwd, logdir, { batchSize: 50 }, { maxFileBytes: 1024 });
    for (let i = 0; i < 500; i++) {
      exp.logMetric("m", i, i);
      if (i % 50 === 49) await exp.flush();
    }
    await exp.stop();
    const dir = join(logdir, "p", exp.id);
    const { files, events } = decodeRunFolder(dir);
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) expect(f).toMatch(/\.\d{6}$/);
    expect(events.filter((e) => e.file_version).length).toBe(files.length);
    expect(scalars(events).map((p) => p.step)).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });

  it("rejects a bad config with a coded error naming the key", async () => {
    const cwd = await tempDir();
    await expect(
      startExperiment({
        cwd,
        logLevel: "silent",
        backends: ["tensorboard"],
        plugins: { tensorboard: { maxFileBytes: 10 } },
      }),
    ).rejects.toMatchObject({ code: "TRACELET_ERR_CONFIG_INVALID", message: expect.stringContaining("maxFileBytes") });
    await expect(
      startExperiment({ cwd, logLevel: "silent", backends: ["tensorboard"], plugins: { tensorboard: { logdir: "" } } }),
    ).rejects.toMatchObject({ code: "TRACELET_ERR_CONFIG_INVALID", message: expect.stringContaining("logdir") });
  });

  it("an outage (the run folder unusable) loses and duplicates nothing: the data path retries, the writer resumes", async () => {
    const cwd = await tempDir();
    const logdir = join(cwd, "tb");
    const exp = await startExperiment({
      cwd,
      project: "p",
      logLevel: "silent",
      backends: ["tensorboard"],
      batchSize: 20,
      retry: { initialDelayMs: 20, maxDelayMs: 50 },
      quarantineAfter: 1000,
      plugins: { tensorboard: { logdir, maxFileBytes: 1024 } },
    });
    const dir = join(logdir, "p", exp.id);
    for (let i = 0; i < 100; i++) exp.logMetric("m", i, i);
    await exp.flush();
    // The folder is replaced by a file: the next rotation cannot create its file (ENOTDIR).
    renameSync(dir, `${dir}.saved`);
    writeFileSync(dir, "not a folder");
    for (let i = 100; i < 300; i++) exp.logMetric("m", i, i);
    for (let i = 0; i < 100 && !exp.status().delivery.tensorboard?.outage; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(exp.status().delivery.tensorboard).toMatchObject({ outage: true });
    rmSync(dir);
    renameSync(`${dir}.saved`, dir);
    await exp.stop();
    const steps = scalars(decodeRunFolder(dir).events).map((p) => p.step);
    expect(steps).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(readdirSync(dir).length).toBeGreaterThan(1);
  });
});
