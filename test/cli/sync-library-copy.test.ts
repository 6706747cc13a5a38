import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, symlinkSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp-dir.js";

// The CLI bundles its own copy of the library; a third-party plugin imports "tracelet", which
// is the package's dist/index.js. Nothing may depend on the two copies being one.
const PLUGIN = `import { appendFileSync } from "node:fs";
import { BackendPlugin, TraceletError } from "tracelet";
export class XBackend extends BackendPlugin {
  static metadata = { name: "x", type: "backend" };
  logMetric(name, value, step) { this.logMetrics([{ name, value, step }]); }
  logMetrics(batch) {
    if (process.env.X_FAIL === "1") throw new TraceletError("TRACELET_ERR_CONFIG_INVALID", "x is down");
    appendFileSync(process.env.X_OUT, batch.map((p) => p.name + " " + p.step + "\\n").join(""));
  }
}
`;

const RUN = `import { startExperiment } from "tracelet";
const exp = await startExperiment({ backends: ["jsonl", "x"], logLevel: "silent" });
for (let i = 0; i < 10; i++) exp.logMetric("loss", i, i);
await exp.flush();
process.stdout.write(exp.runDir);
process.exit(0);
`;

async function project(): Promise<string> {
  const dir = await tempDir();
  await writeFile(join(dir, "package.json"), JSON.stringify({ name: "host", private: true, type: "module" }));
  await mkdir(join(dir, "node_modules", "tracelet-plugin-x"), { recursive: true });
  symlinkSync(ROOT, join(dir, "node_modules", "tracelet"), "dir");
  await writeFile(
    join(dir, "node_modules", "tracelet-plugin-x", "package.json"),
    JSON.stringify({
      name: "tracelet-plugin-x",
      version: "1.0.0",
      type: "module",
      tracelet: { engine: "^1.0.0", plugins: [{ name: "x", type: "backend", entry: "./x.js", export: "XBackend" }] },
    }),
  );
  await writeFile(join(dir, "node_modules", "tracelet-plugin-x", "x.js"), PLUGIN);
  await writeFile(join(dir, "run.mjs"), RUN);
  return dir;
}

describe("tracelet sync with a plugin that imports the library itself", () => {
  it("replays the spool a failing plugin left into that plugin, through the CLI's own copy of the library", async () => {
    const dir = await project();
    const out = join(dir, "x-out.txt");
    const env = { ...process.env, X_OUT: out };
    const run = spawnSync(process.execPath, ["run.mjs"], { cwd: dir, encoding: "utf8", env: { ...env, X_FAIL: "1" } });
    expect(run.status, run.stderr).toBe(0);
    const runDir = run.stdout.trim();
    expect(readdirSync(join(runDir, "spool", "x")).some((f) => f.endsWith(".tls"))).toBe(true);

    const sync = runCli(["sync", runDir], { cwd: dir, env });
    expect(sync.status, sync.stderr).toBe(0);
    expect(sync.stdout).toContain("x: 10 points");
    expect(readFileSync(out, "utf8").trim().split("\n")).toEqual(Array.from({ length: 10 }, (_, i) => `loss ${i}`));
  });

  it("reports a TraceletError thrown from the plugin's copy with its own code", async () => {
    const dir = await project();
    const env = { ...process.env, X_OUT: join(dir, "x-out.txt"), X_FAIL: "1" };
    const run = spawnSync(process.execPath, ["run.mjs"], { cwd: dir, encoding: "utf8", env });
    expect(run.status, run.stderr).toBe(0);
    const sync = runCli(["sync", run.stdout.trim(), "--timeout", "2000"], { cwd: dir, env });
    expect(sync.status).toBe(1);
    // Had the CLI's copy not recognised the other copy's error, it would say TRACELET_ERR_HOOK_FAILED.
    expect(sync.stderr).toContain("x: TRACELET_ERR_CONFIG_INVALID: x is down");
  });
});
