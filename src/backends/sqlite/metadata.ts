import type { PluginMetadata } from "../../core/plugin-api.js";

/** JSON Schema of the `sqlite` backend's config. */
export const sqliteConfigSchema = {
  type: "object",
  properties: {
    path: {
      type: "string",
      pattern: "\\S",
      default: "./tracelet-runs/tracelet.db",
      description: "The database file; many runs share it.",
    },
    busyTimeoutMs: {
      type: "integer",
      minimum: 0,
      default: 5000,
      description: "How long a write waits for another writer's lock before failing (retried by Tracelet).",
    },
    synchronous: {
      type: "string",
      enum: ["off", "normal", "full"],
      default: "normal",
      description: "SQLite's synchronous pragma: normal (WAL: durable at checkpoints) or full (each commit).",
    },
  },
  additionalProperties: false,
} as const;

/** Metadata of the built-in `sqlite` backend; `requires` names its client, an optional peer dependency. */
export const sqliteMetadata: PluginMetadata & { requires: Record<string, string> } = {
  name: "sqlite",
  type: "backend",
  version: "1.0.0",
  description: "Writes runs, params and metrics into one SQLite database file (WAL); needs better-sqlite3.",
  configSchema: sqliteConfigSchema as unknown as Record<string, unknown>,
  requires: { "better-sqlite3": "^12.0.0" },
};
