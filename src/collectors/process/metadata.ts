import type { PluginMetadata } from "../../core/plugin-api.js";

/** Config of the built-in `process` collector. */
export interface ProcessCollectorConfig {
  /** Sampling interval in ms (handled by Tracelet; default 10 000, at least 100). */
  intervalMs?: number;
  /** Samples averaged into each emitted point (handled by Tracelet; default 1). */
  samplesBeforeLogging?: number;
  /** Resolution of the event-loop delay histogram, ms (default 10). */
  eventLoopResolutionMs?: number;
}

/** JSON Schema of the `process` collector's config. */
export const processConfigSchema = {
  type: "object",
  properties: {
    intervalMs: { type: "integer", minimum: 100, default: 10_000 },
    samplesBeforeLogging: { type: "integer", minimum: 1, default: 1 },
    eventLoopResolutionMs: { type: "integer", minimum: 1, default: 10 },
  },
  additionalProperties: false,
} as const;

/** Metadata of the built-in `process` collector. */
export const processMetadata: PluginMetadata = {
  name: "process",
  type: "collector",
  version: "1.0.0",
  description: "This Node process: CPU time, memory and event-loop delay, with no dependencies.",
  configSchema: processConfigSchema as unknown as Record<string, unknown>,
};
