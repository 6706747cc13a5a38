import type { PluginMetadata } from "../../core/plugin-api.js";

/** The environment variables collected when the config names none. */
export const DEFAULT_ENV_ALLOWLIST: readonly string[] = [
  "NODE_ENV",
  "NODE_OPTIONS",
  "HOSTNAME",
  "USER",
  "SHELL",
  "LANG",
  "TZ",
  "CI",
  "CUDA_VISIBLE_DEVICES",
  "NVIDIA_VISIBLE_DEVICES",
  "OMP_NUM_THREADS",
  "UV_THREADPOOL_SIZE",
  "SLURM_JOB_ID",
  "SLURM_JOB_NAME",
  "SLURM_PROCID",
  "SLURM_NTASKS",
  "GITHUB_RUN_ID",
  "GITHUB_SHA",
  "GITHUB_REF",
];

/** Config of the built-in `environment` collector. */
export interface EnvironmentCollectorConfig {
  /** Sampling interval in ms (handled by Tracelet; this collector logs params only). */
  intervalMs?: number;
  /** Samples averaged per point (handled by Tracelet; unused here). */
  samplesBeforeLogging?: number;
  /** Variables to collect: exact names or prefixes ending in `*` (default {@link DEFAULT_ENV_ALLOWLIST}). */
  envAllowlist?: string[];
  /** Also log `process.argv` (secret-looking flag values redacted; default true). */
  argv?: boolean;
}

/** JSON Schema of the `environment` collector's config. */
export const environmentConfigSchema = {
  type: "object",
  properties: {
    intervalMs: { type: "integer", minimum: 100, default: 10_000 },
    samplesBeforeLogging: { type: "integer", minimum: 1, default: 1 },
    envAllowlist: { type: "array", items: { type: "string" } },
    argv: { type: "boolean", default: true },
  },
  additionalProperties: false,
} as const;

/** Metadata of the built-in `environment` collector. */
export const environmentMetadata: PluginMetadata = {
  name: "environment",
  type: "collector",
  version: "1.0.0",
  description: "Logs Node version, OS, CPU model, argv and allowlisted environment variables as params.",
  configSchema: environmentConfigSchema as unknown as Record<string, unknown>,
};
