import { MAX_PLUGIN_NAME_LENGTH, MAX_PLUGINS_PER_PACKAGE } from "./manifest-types.js";

/** The pattern a plugin name must match (lowercase, optionally scoped). */
export const PLUGIN_NAME_PATTERN = "^(@[a-z0-9][a-z0-9._-]*/)?[a-z0-9][a-z0-9._-]*$";

const stringMap = {
  type: "object",
  maxProperties: 200,
  propertyNames: { type: "string", minLength: 1, maxLength: MAX_PLUGIN_NAME_LENGTH },
  additionalProperties: { type: "string", minLength: 1, maxLength: 256 },
} as const;

/**
 * JSON Schema (draft-07) of the `tracelet` field of a plugin package. Keys other than
 * `engine` and `plugins` are allowed at the top level because a host project's `tracelet`
 * field also holds run options; inside a plugin entry unknown keys are refused (typos).
 */
export const MANIFEST_SCHEMA: Readonly<Record<string, unknown>> = {
  $id: "https://tracelet.dev/schemas/manifest.json",
  type: "object",
  required: ["engine", "plugins"],
  properties: {
    engine: { type: "string", minLength: 1, maxLength: 256 },
    plugins: {
      type: "array",
      maxItems: MAX_PLUGINS_PER_PACKAGE,
      items: {
        type: "object",
        required: ["name", "type", "entry"],
        additionalProperties: false,
        properties: {
          name: { type: "string", maxLength: MAX_PLUGIN_NAME_LENGTH, pattern: PLUGIN_NAME_PATTERN },
          type: { enum: ["backend", "collector"] },
          entry: { type: "string", minLength: 1, maxLength: 1024 },
          export: { type: "string", minLength: 1, maxLength: 256 },
          version: { type: "string", minLength: 1, maxLength: 256 },
          description: { type: "string", maxLength: 4096 },
          author: { type: "string", maxLength: 1024 },
          configSchema: {
            anyOf: [{ type: "object" }, { type: "string", minLength: 1, maxLength: 1024 }],
          },
          dependencies: stringMap,
          requires: stringMap,
        },
      },
    },
  },
} as const;
