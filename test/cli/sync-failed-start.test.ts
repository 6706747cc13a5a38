import { existsSync, mkdirSync, readdirSync, rmdirSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { readMetrics, startExperiment } from "../../src/index.js";
import { ROOT, runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp-dir.js";

const _root = ROOT;
const cli = (...args: string[]) => runCli(args);

describe("a backend that failed to start", () => {
  it("keeps its points in its spool, says once that no backend is active, and `tracelet sync` delivers them later", async () => {
    const cwd = await tempDir();
    const runDir = join(cwd, "tracelet-runs", "p", "r1");
    // metrics.jsonl is a directory: the jsonl backend initializes, then its start() throws.
    mkdirSync(join(runDir, "metrics.jsonl"), { recursive: true });
    const lines: Array<{ level: number; msg: string }> = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split("\n")) if (line) lines.push(JSON.parse(line));
        done();
      },
    });
    const exp = await startExperiment({
      cwd,
      project: "p",
      runId: "r1",
      backends: ["jsonl"],
      batchSize: 10,
      logger: pino({ level: "error" }, sink),
    });
    expect(exp.status().plugins.find((p) => p.name === "jsonl")?.state).toBe("failed");
    for (let i = 0; i < 25; i++) exp.logMetric("m", i, i);
    const report = await exp.stop();
    expect(report.spooled).toEqual({ jsonl: 25 });
    expect(lines.filter((l) => l.msg.startsWith("no backend is active"))).toHaveLength(1);

    rmdirSync(join(runDir, "metrics.jsonl")); // the backend works again
    const out = cli("sync", runDir);
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toContain("jsonl: 25 points");
    const { points } = await readMetrics(runDir);
    expect(points.map((p) => p.step)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(existsSync(join(runDir, "spool")) ? readdirSync(join(runDir, "spool")) : []).toEqual([]);
  });
});
