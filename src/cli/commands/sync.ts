import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { findSpools } from "../../core/data/replay-spool.js";
import { TraceletError } from "../../core/errors.js";
import { DEFAULT_TIMEOUTS } from "../../core/lifecycle/timeouts.js";
import { createLogger } from "../../core/logger.js";
import { didYouMean } from "../../core/util/did-you-mean.js";
import { PluginManager } from "../../plugin-manager.js";
import { replayOneSpool, spoolBackend } from "./sync-spool.js";

const USAGE = "Usage: tracelet sync <run dir> [--backend <name>] [--config <json>] [--timeout <ms>]\n";
const FLAGS_WITH_VALUE = ["--backend", "--config", "--timeout"];
/** Set in the environment of the child that replays one backend for a parent `tracelet sync`. */
const CHILD_ENV = "TRACELET_SYNC_CHILD";

function optionValue(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i >= 0 ? (args[i + 1] ?? "") : undefined;
}

// `--config` is user input: a typo must get a coded error, not a raw SyntaxError.
function parseConfig(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new TraceletError("TRACELET_ERR_OPTION_INVALID", "--config must be a JSON object.", {
      cause,
      details: { option: "--config" },
    });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TraceletError("TRACELET_ERR_OPTION_INVALID", "--config must be a JSON object.", {
      details: { option: "--config" },
    });
  }
  return value as Record<string, unknown>;
}

function parseTimeout(text: string | undefined): number {
  if (text === undefined) return DEFAULT_TIMEOUTS.flush;
  const ms = Number(text);
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new TraceletError("TRACELET_ERR_OPTION_INVALID", "--timeout must be a positive number of ms.", {
      details: { option: "--timeout" },
    });
  }
  return ms;
}

/**
 * `tracelet sync <run dir>`: replays the spool of a run whose process died (or whose backend
 * was down at stop) into each backend named in `<run dir>/spool/<backend>/backend.json`, in
 * logging order, then deletes what was delivered. Each backend is replayed in a child process
 * of its own (`tracelet sync <run dir> --backend <name>`), so a plugin that ends its process
 * (`process.exit()`, a crash) stops only its own replay; what it did not take stays in its
 * spool. `--backend <name>` replays that backend alone, in this process. `--config '<json>'`
 * adds config values (for instance secrets, which are never written to the spool) to every
 * backend; their secret values are scrubbed from every message shown. Each backend call is
 * bounded by `--timeout <ms>` (default: the `flush` deadline).
 *
 * @param args - the run directory, `--backend <name>`, `--config <json>`, `--timeout <ms>`
 * @returns the exit code: 0 when everything was delivered, 1 when something was not, 2 for a
 *   usage error (no run directory, a `--backend` that names no backend)
 * @throws TraceletError `TRACELET_ERR_OPTION_INVALID` for a malformed `--config` or `--timeout`
 */
export async function sync(args: string[]): Promise<number> {
  const extra = parseConfig(optionValue(args, "--config"));
  const timeoutMs = parseTimeout(optionValue(args, "--timeout"));
  const only = optionValue(args, "--backend");
  const valueAt = new Set(FLAGS_WITH_VALUE.map((f) => args.indexOf(f) + 1).filter((i) => i > 0));
  const runArg = args.find((a, i) => !a.startsWith("--") && !valueAt.has(i));
  if (!runArg) {
    process.stderr.write(USAGE);
    return 2;
  }
  const runDir = resolve(runArg);
  const spools = findSpools(runDir);
  if (only !== undefined) {
    const spool = spools.find((s) => spoolBackend(s) === only);
    const logger = createLogger();
    const manager = new PluginManager({ cwd: process.cwd(), logger });
    const code = spool
      ? (await replayOneSpool(spool, { runDir, extra, timeoutMs, manager, logger }))
        ? 0
        : 1
      : await nothingFor(only, runArg, spools.map(spoolBackend), manager);
    await reportToParent(code);
    return code;
  }
  if (spools.length === 0) {
    console.log(`tracelet sync: nothing to replay in ${runArg}`);
    return 0;
  }
  let failed = 0;
  for (const spool of spools) {
    if (!(await replayInChild(spoolBackend(spool), runDir, args))) failed++;
  }
  return failed === 0 ? 0 : 1;
}

// `--backend` naming a backend with nothing spooled: fine for a known backend (already synced),
// a usage error, in one line, for a name that is no backend at all (a typo).
async function nothingFor(name: string, runArg: string, spooled: string[], manager: PluginManager): Promise<number> {
  await manager.discoverPlugins();
  const known = manager.listPlugins("backend").map((p) => p.name);
  if (known.includes(name)) {
    console.log(`tracelet sync: nothing to replay for ${name} in ${runArg}`);
    return 0;
  }
  const list = spooled.length > 0 ? ` Backends with a spool here: ${spooled.join(", ")}.` : "";
  process.stderr.write(`tracelet sync: unknown backend "${name}".${didYouMean(name, [...spooled, ...known])}${list}\n`);
  return 2;
}

// Runs `tracelet sync <run dir> --backend <name>` (same flags) in a child process. The child
// reports its result over IPC just before it returns: a child that ends without reporting was
// ended by the plugin (or killed), which fails that backend and no other.
function replayInChild(name: string, runDir: string, args: string[]): Promise<boolean> {
  const passed: string[] = [];
  for (const flag of ["--config", "--timeout"]) {
    const value = optionValue(args, flag);
    if (value !== undefined) passed.push(flag, value);
  }
  const script = process.argv[1] as string;
  return new Promise((done) => {
    const child = spawn(
      process.execPath,
      [
        ...process.execArgv.filter((a) => !a.startsWith("--inspect")),
        script,
        "sync",
        runDir,
        "--backend",
        name,
        ...passed,
      ],
      { stdio: ["ignore", "inherit", "inherit", "ipc"], env: { ...process.env, [CHILD_ENV]: "1" } },
    );
    let reported: number | undefined;
    child.on("message", (message: { exitCode?: unknown }) => {
      if (typeof message?.exitCode === "number") reported = message.exitCode;
    });
    child.on("error", (error) => {
      console.error(`tracelet sync: ${name}: could not start its replay process (${error.message})`);
      done(false);
    });
    child.on("close", (code, signal) => {
      if (reported !== undefined) return done(reported === 0 && code === 0);
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      console.error(
        `tracelet sync: ${name}: its replay process ${how} before the replay finished (the plugin ended it?); what it did not take stays in its spool`,
      );
      done(false);
    });
  });
}

// In the child a parent `tracelet sync` started: tells the parent how the replay ended, then
// lets go of the channel so that the child can exit.
function reportToParent(exitCode: number): Promise<void> {
  if (process.env[CHILD_ENV] !== "1" || !process.send) return Promise.resolve();
  return new Promise((done) => {
    process.send?.({ exitCode }, undefined, {}, () => {
      process.disconnect?.();
      done();
    });
  });
}
