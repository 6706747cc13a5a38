import { readFileSync } from "node:fs";
import { pino } from "pino";
import type { PluginContext, RunIdentity } from "../../../src/core/types.js";

/** A plugin context for calling a collector directly in a test. */
export function testContext(name: string): PluginContext {
  const run: RunIdentity = {
    project: "test",
    name: "test",
    runId: "run-1",
    role: "main",
    workerId: 0,
    workerCount: 1,
    tags: {},
    runDir: "/tmp/unused",
  };
  return { name, logger: pino({ level: "silent" }), signal: new AbortController().signal, run };
}

/**
 * Whether a process is alive. A zombie (dead, not yet reaped: an orphan waits for PID 1 to reap
 * it, which some container init processes do late or never) counts as dead.
 */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    return stat[stat.lastIndexOf(")") + 2] !== "Z";
  } catch {
    return process.platform !== "linux";
  }
}
