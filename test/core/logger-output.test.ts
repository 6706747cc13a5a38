import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { childLogger, createLogger, PLUGIN_LOG_LINES_PER_SECOND, prettyLine } from "../../src/core/logger.js";
import { ROOT } from "../helpers/cli.js";

function sink(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const lines = () =>
    chunks
      .join("")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  return { stream, lines };
}

// The built library as a user runs it: a plugin's logger (the root logger's child) writes in the
// format TRACELET_LOG_FORMAT asks for.
const script = `
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BackendPlugin, PluginManager, startExperiment } from "${pathToFileURL(join(ROOT, "dist/index.js")).href}";
class Probe extends BackendPlugin {
  logMetric() {}
  start() { this.logger.warn({ code: "TRACELET_ERR_BACKEND_FAILED", retries: 3 }, "backend is down"); }
}
const dir = mkdtempSync(join(tmpdir(), "tracelet-log-"));
const manager = new PluginManager({ cwd: dir });
manager.registerPlugin(Probe, { name: "probe", type: "backend" });
await (await startExperiment({ manager, dir, backends: ["probe"] })).stop();
rmSync(dir, { recursive: true, force: true });
`;

function runScript(env: Record<string, string>): string {
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    encoding: "utf8",
    env: { ...process.env, TRACELET_LOG_LEVEL: "", ...env },
  });
  return run.stderr.split("\n").filter(Boolean).join("\n");
}

describe("log output", () => {
  it("a warning is one readable line: level, plugin, code, message, then the other fields", () => {
    const line = JSON.stringify({
      level: 40,
      time: 1,
      plugin: "jsonl",
      code: "TRACELET_ERR_BACKEND_FAILED",
      msg: "backend is down",
      retries: 3,
    });
    expect(prettyLine(line)).toBe("WARN  [jsonl] TRACELET_ERR_BACKEND_FAILED: backend is down retries=3\n");
  });

  it("an error's code comes from err; its stack is shown at debug level only", () => {
    const err = { code: "E1", message: "boom", stack: "Error: boom\n    at x" };
    expect(prettyLine(JSON.stringify({ level: 50, msg: "failed", err }))).toBe('ERROR E1: failed error="boom"\n');
    expect(prettyLine(JSON.stringify({ level: 20, msg: "failed", err }))).toContain("\nError: boom\n    at x");
  });

  it("TRACELET_LOG_FORMAT=pretty writes the readable line; output that is not a terminal gets JSON", () => {
    const pretty = runScript({ TRACELET_LOG_FORMAT: "pretty" });
    expect(pretty).toBe("WARN  [probe] TRACELET_ERR_BACKEND_FAILED: backend is down retries=3");
    const json = JSON.parse(runScript({}));
    expect(json).toMatchObject({ level: 40, plugin: "probe", msg: "backend is down" });
  });

  it("a plugin's logger drops lines past its rate and reports how many, once", async () => {
    const { stream, lines } = sink();
    const root = createLogger({ level: "info", destination: stream });
    const log = childLogger(root, "chatty");
    const total = PLUGIN_LOG_LINES_PER_SECOND * 5;
    for (let i = 0; i < total; i++) log.info({ i }, "line");
    log.debug("below the level: neither written nor counted");
    await new Promise((r) => setTimeout(r, 1100));
    const written = lines().filter((l) => l.msg === "line");
    const reports = lines().filter((l) => typeof l.dropped === "number");
    expect(written.length).toBeLessThan(total);
    expect(reports.length).toBeGreaterThan(0);
    expect(written.length + reports.reduce((n, r) => n + (r.dropped as number), 0)).toBe(total);
    expect(reports[0]).toMatchObject({ plugin: "chatty", level: 40 });
  });
});
