import type { PluginMetadata } from "../../core/plugin-api.js";

/** JSON Schema of the `tensorboard` backend's config. */
export const tensorboardConfigSchema = {
  type: "object",
  properties: {
    logdir: {
      type: "string",
      pattern: "\\S",
      default: "./tracelet-runs/tensorboard",
      description: "TensorBoard's --logdir; each run writes into <logdir>/<project>/<runId>/.",
    },
    maxFileBytes: {
      type: "integer",
      minimum: 1024,
      default: 134217728,
      description: "Size past which the next batch starts a new event file (default 128 MiB).",
    },
    fsync: {
      type: "boolean",
      default: true,
      description:
        "fdatasync the event file on flush and stop, when something new was written (and in the background every 4 MiB written).",
    },
    hparams: {
      type: "boolean",
      default: true,
      description: "Also write params as the HParams plugin's session info (compare runs by param).",
    },
  },
  additionalProperties: false,
} as const;

/** Metadata of the built-in `tensorboard` backend. */
export const tensorboardMetadata: PluginMetadata = {
  name: "tensorboard",
  type: "backend",
  version: "1.0.0",
  description: "Writes TensorBoard event files (scalars, params as text and hparams); needs nothing installed.",
  configSchema: tensorboardConfigSchema as unknown as Record<string, unknown>,
};
