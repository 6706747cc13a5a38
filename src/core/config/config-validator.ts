import { createRequire } from "node:module";
import type { ErrorObject, ValidateFunction } from "ajv";
import { TraceletError } from "../errors.js";
import { deepFreeze } from "./deep-freeze.js";
import { secretPaths } from "./secret-paths.js";

type AjvInstance = { compile(schema: object): ValidateFunction };

let ajv: AjvInstance | undefined;
const compiled = new WeakMap<object, ValidateFunction>();

// ajv is CommonJS; loaded on first use so a run whose plugins have no schema never pays for it.
function sharedAjv(): AjvInstance {
  if (ajv) return ajv;
  const require = createRequire(import.meta.url);
  const Ajv = require("ajv").default as new (opts: object) => AjvInstance;
  ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, coerceTypes: false });
  return ajv;
}

/** One failing path of a config. */
export interface ConfigIssue {
  /** JSON pointer of the failing value ("" for the root). */
  path: string;
  /** What is wrong. */
  message: string;
}

function issueOf(e: ErrorObject): ConfigIssue {
  if (e.keyword === "additionalProperties") {
    const key = (e.params as { additionalProperty: string }).additionalProperty;
    return { path: `${e.instancePath}/${key}`, message: "is not a known option" };
  }
  return { path: e.instancePath, message: e.message ?? e.keyword };
}

/**
 * Validates a plugin's config against its JSON Schema: defaults applied, every error reported
 * at once, the result deep-frozen. Validators are compiled once per schema object.
 * Values never appear in the error (they may be secrets); only paths and rules do.
 *
 * @param plugin - plugin name, for the message
 * @param schema - the plugin's JSON Schema (or undefined: anything goes)
 * @param config - the user's config
 * @returns the validated, defaulted, frozen config
 * @throws TraceletError `TRACELET_ERR_CONFIG_INVALID` listing every failing path
 */
export function validateConfig(
  plugin: string,
  schema: Record<string, unknown> | undefined,
  config: unknown,
): Readonly<Record<string, unknown>> {
  const value = structuredClone(config ?? {}) as Record<string, unknown>;
  if (!schema) return deepFreeze(value);
  let validate = compiled.get(schema);
  if (!validate) {
    try {
      validate = sharedAjv().compile(schema);
    } catch (error) {
      throw new TraceletError("TRACELET_ERR_SCHEMA_INVALID", `Plugin "${plugin}" has an unusable configSchema.`, {
        cause: error,
        details: { plugin },
      });
    }
    compiled.set(schema, validate);
  }
  if (!validate(value)) {
    const issues = (validate.errors ?? []).map(issueOf);
    const list = issues.map((i) => `${i.path || "(root)"} ${i.message}`).join("; ");
    throw new TraceletError("TRACELET_ERR_CONFIG_INVALID", `Config of plugin "${plugin}" is invalid: ${list}.`, {
      details: { plugin, issues, secretPaths: secretPaths(schema) },
    });
  }
  return deepFreeze(value);
}
