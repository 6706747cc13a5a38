import type { PluginMetadata } from "../../core/plugin-api.js";

/** JSON Schema of the `mlflow` backend's config. */
export const mlflowConfigSchema = {
  type: "object",
  properties: {
    trackingUri: {
      type: "string",
      pattern: "^https?://[^\\s/]+",
      description:
        "The tracking server's URL (http or https). Default: MLFLOW_TRACKING_URI, else http://127.0.0.1:5000.",
    },
    experimentName: {
      type: "string",
      pattern: "\\S",
      description: "The experiment, created when missing. Default: the run's project.",
    },
    token: {
      type: "string",
      writeOnly: true,
      description: "Bearer token (secret). Default: MLFLOW_TRACKING_TOKEN.",
    },
    requestTimeoutMs: {
      type: "integer",
      minimum: 1,
      default: 30000,
      description: "A request not answered within this is an outage (retried by Tracelet).",
    },
  },
  additionalProperties: false,
} as const;

/** Metadata of the built-in `mlflow` backend. */
export const mlflowMetadata: PluginMetadata = {
  name: "mlflow",
  type: "backend",
  version: "1.0.0",
  description: "Logs runs to an MLflow tracking server through its REST API 2.0; needs nothing installed.",
  configSchema: mlflowConfigSchema as unknown as Record<string, unknown>,
};
