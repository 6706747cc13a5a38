import type { PluginMetadata } from "../../core/plugin-api.js";

/** Config of the built-in `git` collector. */
export interface GitCollectorConfig {
  /** Sampling interval in ms (handled by Tracelet; this collector logs params only). */
  intervalMs?: number;
  /** Samples averaged per point (handled by Tracelet; unused here). */
  samplesBeforeLogging?: number;
  /** The directory inside the repository (default: the process's working directory). */
  cwd?: string;
  /** Deadline of each git command, ms (default 2000). */
  timeoutMs?: number;
}

/** JSON Schema of the `git` collector's config. */
export const gitConfigSchema = {
  type: "object",
  properties: {
    intervalMs: { type: "integer", minimum: 100, default: 10_000 },
    samplesBeforeLogging: { type: "integer", minimum: 1, default: 1 },
    cwd: { type: "string" },
    timeoutMs: { type: "integer", minimum: 1, default: 2000 },
  },
  additionalProperties: false,
} as const;

/** Metadata of the built-in `git` collector. */
export const gitMetadata: PluginMetadata = {
  name: "git",
  type: "collector",
  version: "1.0.0",
  description: "Logs the git commit, branch, dirty flag and remote URL (credentials stripped) as params.",
  configSchema: gitConfigSchema as unknown as Record<string, unknown>,
};
