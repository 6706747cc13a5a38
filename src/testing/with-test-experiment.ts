import type { Experiment } from "../core/experiment.js";
import type { PluginClass } from "../core/plugin-api.js";
import { PluginManager, type StartExperimentWithManagerOptions, startExperiment } from "../index.js";
import { MemoryBackend } from "./memory-backend.js";

/**
 * Starts an experiment for a test: the given plugin classes are registered by hand, the
 * in-memory backend is attached, logging is silent, nothing is discovered unless named.
 *
 * @param options - run options (plugin names unchecked by types: the plugins are registered
 *   by hand); `backends` defaults to `["memory"]`
 * @param classes - plugin classes to register (with static `metadata` or `getMetadata()`)
 * @returns the running experiment
 */
export async function withTestExperiment(
  options: Partial<StartExperimentWithManagerOptions> = {},
  classes: PluginClass[] = [],
): Promise<Experiment> {
  const manager = options.manager ?? new PluginManager({ cwd: options.cwd });
  manager.registerPlugin(MemoryBackend);
  for (const cls of classes) manager.registerPlugin(cls);
  return startExperiment({ backends: ["memory"], logLevel: "silent", ...options, manager });
}
