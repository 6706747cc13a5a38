import type { Level } from "pino";
import { TraceletError } from "./errors.js";
import type { RunOptions } from "./options.js";

function list(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

function int(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new TraceletError("TRACELET_ERR_OPTION_INVALID", `${name}="${value}" is not a whole number.`, {
      details: { name },
    });
  }
  return n;
}

/**
 * Reads the `TRACELET_*` environment variables into options.
 *
 * @param env - the environment (default `process.env`)
 * @returns the options they set
 * @throws TraceletError `TRACELET_ERR_OPTION_INVALID` for a malformed number
 */
export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): RunOptions {
  const out: RunOptions = {
    project: env.TRACELET_PROJECT,
    backends: list(env.TRACELET_BACKENDS),
    collectors: list(env.TRACELET_COLLECTORS),
    dir: env.TRACELET_DIR,
    runId: env.TRACELET_RUN_ID,
    role: env.TRACELET_ROLE,
    workerId: int("TRACELET_WORKER_ID", env.TRACELET_WORKER_ID),
    workerCount: int("TRACELET_WORKER_COUNT", env.TRACELET_WORKER_COUNT),
    logLevel: env.TRACELET_LOG_LEVEL as Level | undefined,
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as RunOptions;
}
