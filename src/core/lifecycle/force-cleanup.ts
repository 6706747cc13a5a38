import { readFileSync } from "node:fs";
import type { Logger } from "pino";
import type { PluginHost } from "./plugin-host.js";

/** What {@link forceCleanupAll} did. */
export interface ForceCleanupReport {
  /** Plugins whose `forceCleanup()` ran without throwing. */
  cleaned: string[];
  /** Plugins whose `forceCleanup()` or `getChildPids()` threw. */
  failed: string[];
  /** Child pids that were still alive after `forceCleanup()` and were sent SIGKILL. */
  killed: number[];
}

/**
 * Whether a process exists and is not a zombie (a killed child that nobody reaped yet).
 *
 * @param pid - process id
 * @returns true while it runs
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  return !isZombie(pid);
}

function isZombie(pid: number): boolean {
  if (process.platform !== "linux") return false;
  try {
    // Synchronous on purpose: this runs inside process 'exit' handlers.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "Z";
  } catch {
    return false;
  }
}

function pidsOf(host: PluginHost): number[] {
  const pids = host.instance.getChildPids?.() ?? [];
  return Array.isArray(pids) ? pids.filter((p) => Number.isInteger(p) && p > 0 && p !== process.pid) : [];
}

/**
 * The synchronous last resort of the lifecycle-aware protocol: for every plugin that
 * implements it, reads `getChildPids()`, calls `forceCleanup()`, then SIGKILLs each listed
 * child that is still alive, so no child process outlives the run. Never throws; safe inside
 * a process `exit` handler.
 *
 * @param hosts - the run's plugins
 * @param logger - where problems are reported
 * @returns what was cleaned and killed
 */
export function forceCleanupAll(hosts: readonly PluginHost[], logger?: Logger): ForceCleanupReport {
  const report: ForceCleanupReport = { cleaned: [], failed: [], killed: [] };
  for (const host of hosts) {
    if (!host.lifecycleAware) continue;
    host.abort();
    let pids: number[] = [];
    try {
      pids = pidsOf(host);
      host.instance.forceCleanup?.();
      report.cleaned.push(host.name);
    } catch (error) {
      report.failed.push(host.name);
      logger?.error(
        { plugin: host.name, err: error instanceof Error ? error.message : String(error) },
        "forceCleanup failed",
      );
    }
    for (const pid of pids) {
      if (!isProcessAlive(pid)) continue;
      try {
        process.kill(pid, "SIGKILL");
        report.killed.push(pid);
      } catch {
        // Gone between the check and the kill, or not ours to kill: nothing more can be done.
      }
    }
  }
  if (report.killed.length > 0) logger?.warn({ pids: report.killed }, "killed child processes left by plugins");
  return report;
}
