// The columnar path (logMetricColumns, what the engine calls) and the record path (logMetrics)
// of the built-in file backends write the same bytes, and both match a reference encoder that
// works from records alone.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { JsonlBackend } from "../../src/backends/jsonl/jsonl-backend.js";
import { jsonlMetadata } from "../../src/backends/jsonl/metadata.js";
import { frame } from "../../src/backends/tensorboard/events.js";
import { tensorboardMetadata } from "../../src/backends/tensorboard/metadata.js";
import { Message } from "../../src/backends/tensorboard/protobuf.js";
import { TensorboardBackend } from "../../src/backends/tensorboard/tensorboard-backend.js";
import { columnsOf } from "../../src/core/data/metric-columns.js";
import type { MetricColumns, MetricRecord } from "../../src/index.js";
import { withTestExperiment } from "../../src/testing/index.js";
import { tempDir } from "../helpers/temp-dir.js";

const NAMES = ["train/loss", "éval/précision✓", "a/b/c", "日本語", "x"];
const VALUES = [0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0, -2.25, 1e-300, 1.7e308];
const STEPS = (i: number) => [i, 2 ** 31 + i, 2 ** 40 + i, 2 ** 30 - 1, 2 ** 53 - 1, 0][i % 6] as number;
const points: MetricRecord[] = Array.from({ length: 3000 }, (_, i) => ({
  name: NAMES[i % NAMES.length] as string,
  value: VALUES[i % VALUES.length] as number,
  step: STEPS(i),
  // Runs of equal milliseconds, as the hot path's coarse clock makes them.
  timestamp: 1_795_000_000_000 + (i >> 4),
}));

// The record path: the same backend with logMetricColumns hidden from the engine, so the engine
// hands it records (its logMetrics, which puts them in columns for the one write path).
function recordsOnly<T extends abstract new () => object>(cls: T, name: string, base: object): T {
  const write = (cls.prototype as { logMetricColumns: (c: MetricColumns) => void }).logMetricColumns;
  const Sub = class extends (cls as unknown as new () => object) {
    static metadata = { ...base, name };
    logMetrics(batch: MetricRecord[]): void {
      write.call(this, columnsOf(batch));
    }
  };
  Object.defineProperty(Sub.prototype, "logMetricColumns", { value: undefined });
  return Sub as unknown as T;
}

async function run(cwd: string): Promise<string> {
  const exp = await withTestExperiment(
    {
      cwd,
      project: "p",
      runId: "r",
      batchSize: 256,
      backends: ["jsonl", "jsonl-records", "tensorboard", "tensorboard-records"],
      plugins: {
        jsonl: { dir: join(cwd, "cols") },
        "jsonl-records": { dir: join(cwd, "records") },
        tensorboard: { logdir: join(cwd, "tb-cols") },
        "tensorboard-records": { logdir: join(cwd, "tb-records") },
      } as never,
    },
    [
      JsonlBackend,
      TensorboardBackend,
      recordsOnly(JsonlBackend, "jsonl-records", jsonlMetadata),
      recordsOnly(TensorboardBackend, "tensorboard-records", tensorboardMetadata),
    ],
  );
  for (const p of points) exp.logMetric(p.name, p.value, p.step, { timestamp: p.timestamp });
  await exp.stop();
  return cwd;
}

const value = (v: number) =>
  Number.isNaN(v)
    ? '"NaN"'
    : v === Number.POSITIVE_INFINITY
      ? '"Infinity"'
      : v === -Infinity
        ? '"-Infinity"'
        : Object.is(v, -0)
          ? "-0"
          : String(v);

// Event files start with a file_version event whose wall time is the time the file was opened.
function scalarEvents(dir: string): Buffer {
  const [file] = readdirSync(dir);
  const bytes = readFileSync(join(dir, file as string));
  const first = bytes.readUInt32LE(0) + 16;
  return bytes.subarray(first);
}

describe("columnar and record paths write the same bytes", () => {
  it("jsonl and tensorboard: NaN, ±Infinity, -0, names with '/' and unicode, steps ≥ 2^31", async () => {
    const cwd = await run(await tempDir());
    const cols = readFileSync(join(cwd, "cols", "p", "r", "metrics.jsonl"));
    const records = readFileSync(join(cwd, "records", "p", "r", "metrics.jsonl"));
    const reference = points
      .map(
        (p) =>
          `{"name":${JSON.stringify(p.name)},"value":${value(p.value)},"step":${p.step},"timestamp":${p.timestamp}}\n`,
      )
      .join("");
    expect(cols.equals(records)).toBe(true);
    expect(cols.toString("utf8")).toBe(reference);
    // The summaries agree too (counts, last, min, max per metric).
    const summary = (dir: string) => JSON.parse(readFileSync(join(cwd, dir, "p", "r", "summary.json"), "utf8")).metrics;
    expect(summary("cols")).toEqual(summary("records"));
    expect(
      readFileSync(join(cwd, "cols", "p", "r", "metrics.idx")).equals(
        readFileSync(join(cwd, "records", "p", "r", "metrics.idx")),
      ),
    ).toBe(true);

    const tbCols = scalarEvents(join(cwd, "tb-cols", "p", "r"));
    const tbRecords = scalarEvents(join(cwd, "tb-records", "p", "r"));
    const tbReference = Buffer.concat(
      points.map((p) =>
        frame(
          new Message()
            .double(1, p.timestamp / 1000)
            .varint(2, Number.isSafeInteger(p.step) && p.step >= 0 ? p.step : 0)
            .bytes(5, new Message().bytes(1, new Message().string(1, p.name).float(2, p.value)))
            .finish(),
        ),
      ),
    );
    expect(tbCols.equals(tbRecords)).toBe(true);
    expect(tbCols.equals(tbReference)).toBe(true);
  });
});
