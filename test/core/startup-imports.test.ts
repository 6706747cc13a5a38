import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/temp-dir.js";

const dist = join(import.meta.dirname, "../../dist/index.js");

// Runs a whole process as a user script would (from dist/: build first) and lists the packages
// it loaded. ajv, semver, pino and systeminformation are for discovery, non-built-in schemas,
// lines actually logged and non-Linux machines: a plain run must not pay for loading them.
function packagesLoadedBy(cwd: string, collectors: string[], logLevel = "silent"): string[] {
  const script = `
    import { createRequire } from "node:module";
    const { startExperiment } = await import(${JSON.stringify(dist)});
    const exp = await startExperiment({ cwd: process.argv[1], collectors: ${JSON.stringify(collectors)}, logLevel: ${JSON.stringify(logLevel)} });
    exp.logMetric("loss", 0.5, 0);
    await exp.stop();
    const names = Object.keys(createRequire(import.meta.url).cache)
      .map((p) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(p)?.[1])
      .filter(Boolean);
    console.log(JSON.stringify([...new Set(names)].sort()));
  `;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script, cwd], {
    encoding: "utf8",
    env: { ...process.env, PATH: "/nonexistent" },
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split("\n").pop() ?? "[]") as string[];
}

describe("start-up: what a run loads", () => {
  it("a run with jsonl and system loads only tapable of the six dependencies", async () => {
    const cwd = await tempDir();
    writeFileSync(join(cwd, "package.json"), JSON.stringify({ name: "host", private: true }));
    const loaded = packagesLoadedBy(cwd, process.platform === "linux" ? ["system"] : []);
    expect(loaded).toEqual(["tapable"]);
  });

  it("pino is loaded once a line is actually logged", async () => {
    const cwd = await tempDir();
    // An unused plugin config is a warning: at "warn" it is written, so pino loads.
    writeFileSync(
      join(cwd, "package.json"),
      JSON.stringify({ name: "host", private: true, tracelet: { plugins: { nothere: {} } } }),
    );
    expect(packagesLoadedBy(cwd, [], "warn")).toContain("pino");
  });
});
