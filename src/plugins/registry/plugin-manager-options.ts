import type { Logger } from "pino";
import type { Timeouts } from "../../core/types.js";

/** Options of {@link PluginManager}. */
export interface PluginManagerOptions {
  /** Where the project is looked for (default `process.cwd()`). */
  cwd?: string;
  /** Deadlines of plugin lifecycle calls. */
  timeouts?: Timeouts;
  /** Logger (default: Tracelet's root logger). */
  logger?: Logger;
  /** Failures in a row (collect, delivery, any call) after which a plugin is quarantined (default 5). */
  quarantineAfter?: number;
  /**
   * Register Tracelet's built-in plugins (jsonl, system, process, git, environment; imported on
   * activation only). Default true; false gives a manager that knows only what is registered.
   */
  builtins?: boolean;
}
