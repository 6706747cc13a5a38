import type { PluginMetadata } from "../../core/plugin-api.js";

/** JSON Schema of the `jsonl` backend's config. */
export const jsonlConfigSchema = {
  type: "object",
  properties: {
    dir: {
      type: "string",
      description: "Base directory; the run goes to <dir>/<project>/<runId>. Default: the run's directory.",
    },
    fsync: {
      type: "boolean",
      default: true,
      description:
        "fdatasync metrics.jsonl on flush and stop, when something new was written (and in the background every 4 MiB written).",
    },
  },
  additionalProperties: false,
} as const;

/** Metadata of the built-in `jsonl` backend, the embedded default. */
export const jsonlMetadata: PluginMetadata = {
  name: "jsonl",
  type: "backend",
  version: "1.0.0",
  description: "Writes metrics, params and artifacts as JSON Lines files; needs nothing installed.",
  configSchema: jsonlConfigSchema as unknown as Record<string, unknown>,
};
