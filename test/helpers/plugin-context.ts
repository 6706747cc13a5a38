import { basename } from "node:path";
import { type Logger, pino } from "pino";
import type { PluginContext } from "../../src/index.js";

/**
 * The context the engine hands a plugin it starts by hand: a run of project `p` in `runDir` (its
 * run id the directory's name), a silent logger unless one is given.
 *
 * @param runDir - the run's directory
 * @param options - the plugin's name (default `jsonl`) and a logger
 * @returns the context
 */
export function pluginContext(runDir: string, options: { name?: string; logger?: Logger } = {}): PluginContext {
  const runId = basename(runDir);
  return {
    name: options.name ?? "jsonl",
    logger: options.logger ?? pino({ level: "silent" }),
    signal: new AbortController().signal,
    run: { project: "p", name: runId, runId, role: "main", workerId: 0, workerCount: 1, tags: {}, runDir },
  };
}
