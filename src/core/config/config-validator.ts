import type { ErrorObject, ValidateFunction } from "ajv";
import { TraceletError } from "../errors.js";
import { didYouMean } from "../util/did-you-mean.js";
import { deepFreeze } from "./deep-freeze.js";
import { checkSchemaLimits } from "./schema-limits.js";
import { secretPaths } from "./secret-paths.js";
import { draftOf, sharedAjv } from "./shared-ajv.js";
import { unknownKeys } from "./unknown-keys.js";

/** One failing path of a config. */
export interface ConfigIssue {
  /** JSON pointer of the failing value ("" for the root). */
  path: string;
  /** What is wrong (never the value itself: it may be a secret). */
  message: string;
}

const byObject = new WeakMap<object, ValidateFunction>();
const byText = new Map<string, ValidateFunction>();

// The subschema at a JSON pointer of the schema (`#/properties/a/additionalProperties`).
function schemaAt(schema: unknown, pointer: string): unknown {
  let node = schema;
  for (const raw of pointer.replace(/^#\/?/, "").split("/").filter(Boolean)) {
    const key = decodeURIComponent(raw).replaceAll("~1", "/").replaceAll("~0", "~");
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

// The properties a (sub)schema declares, for "did you mean".
function declaredKeys(schema: unknown): string[] {
  const properties = (schema as { properties?: unknown } | undefined)?.properties;
  return typeof properties === "object" && properties !== null ? Object.keys(properties) : [];
}

function unknownKeyIssue(path: string, key: string, known: string[]): ConfigIssue {
  return { path, message: `is not a known option.${didYouMean(key, known)}`.replace(/\.$/, "") };
}

function issueOf(e: ErrorObject, schema: Record<string, unknown>): ConfigIssue {
  if (e.keyword === "additionalProperties") {
    const key = (e.params as { additionalProperty: string }).additionalProperty;
    const parent = schemaAt(schema, e.schemaPath.replace(/\/additionalProperties$/, ""));
    return unknownKeyIssue(`${e.instancePath}/${key}`, key, declaredKeys(parent));
  }
  if (e.keyword === "enum") {
    // The allowed values come from the schema, never from the config: safe to show.
    const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v));
    return { path: e.instancePath, message: `must be one of ${allowed.join(", ")}` };
  }
  if (e.keyword === "required") {
    const key = (e.params as { missingProperty: string }).missingProperty;
    return { path: `${e.instancePath}/${key}`, message: "is required" };
  }
  return { path: e.instancePath, message: e.message ?? e.keyword };
}

/**
 * The cache key of a schema: its draft and its JSON text.
 *
 * @param schema - a JSON Schema
 * @returns the key
 * @throws TraceletError `TRACELET_ERR_SCHEMA_INVALID` for an unsupported draft
 */
export function schemaKey(schema: Record<string, unknown>): string {
  return `${draftOf(schema)}:${JSON.stringify(schema)}`;
}

const precompiled = new Map<string, ValidateFunction>();

function keyOrUndefined(schema: Record<string, unknown>): string | undefined {
  try {
    return schemaKey(schema);
  } catch {
    return undefined;
  }
}

/**
 * Adds validators generated ahead of time (ajv standalone code), keyed by {@link schemaKey} of
 * the schema they were generated from. A schema whose text matches is validated without loading
 * ajv; any other schema still goes through ajv, so each schema stays the one source of truth.
 *
 * @param validators - validators by schema key
 */
export function registerPrecompiledValidators(validators: ReadonlyMap<string, ValidateFunction>): void {
  for (const [key, validate] of validators) precompiled.set(key, validate);
}

/**
 * The compiled validator of a schema: checked against the size and depth limits, then compiled
 * once by the shared ajv of its draft, and cached (by object, and by content so that equal
 * schemas loaded twice share one validator). A built-in plugin's unchanged schema takes its
 * precompiled validator instead: its limits were checked when that was generated.
 *
 * @param plugin - plugin name, for messages
 * @param schema - the JSON Schema
 * @returns the validator
 * @throws TraceletError `TRACELET_ERR_SCHEMA_INVALID`
 */
export function compileSchema(plugin: string, schema: Record<string, unknown>): ValidateFunction {
  const cached = byObject.get(schema);
  if (cached) return cached;
  // A built-in's schema has a validator generated at build time, where its limits were checked
  // too: no ajv, no second check at start-up. (A schema that is not JSON gets its coded error
  // from checkSchemaLimits.)
  const known = keyOrUndefined(schema);
  const built = known === undefined ? undefined : precompiled.get(known);
  if (built) {
    byObject.set(schema, built);
    return built;
  }
  checkSchemaLimits(plugin, schema);
  const text = known ?? schemaKey(schema);
  let validate = byText.get(text);
  if (!validate) {
    const draft = draftOf(schema);
    // The registry of ajv is keyed by `$id`; two plugins reusing one id must not collide.
    const { $id: _id, ...anonymous } = schema;
    try {
      validate = sharedAjv(draft).compile(anonymous);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new TraceletError(
        "TRACELET_ERR_SCHEMA_INVALID",
        `Plugin "${plugin}" has an unusable configSchema: ${why.slice(0, 300)}.`,
        { cause: error, details: { plugin } },
      );
    }
    byText.set(text, validate);
  }
  byObject.set(schema, validate);
  return validate;
}

function cloneConfig(plugin: string, config: unknown): Record<string, unknown> {
  if (config === undefined || config === null) return {};
  if (typeof config !== "object" || Array.isArray(config)) {
    throw new TraceletError("TRACELET_ERR_CONFIG_INVALID", `Config of plugin "${plugin}" must be an object.`, {
      details: { plugin, issues: [{ path: "", message: "must be an object" }] },
    });
  }
  try {
    return structuredClone(config) as Record<string, unknown>;
  } catch (error) {
    throw new TraceletError(
      "TRACELET_ERR_CONFIG_INVALID",
      `Config of plugin "${plugin}" must hold plain data (no functions or class instances).`,
      { cause: error, details: { plugin, issues: [{ path: "", message: "is not plain data" }] } },
    );
  }
}

// A schema can make validation recurse for ever: a `default` under a `$ref` back to its own
// schema inserts a new level at each step (fuzzing found it). That is the schema's fault.
function runValidator(plugin: string, validate: ValidateFunction, value: Record<string, unknown>): boolean {
  try {
    return validate(value) as boolean;
  } catch (error) {
    const why =
      error instanceof RangeError
        ? "it recursed without end, e.g. a default under a $ref back to its own schema"
        : String(error).slice(0, 200);
    throw new TraceletError(
      "TRACELET_ERR_SCHEMA_INVALID",
      `Plugin "${plugin}" has an unusable configSchema: validating with it failed (${why}).`,
      { cause: error, details: { plugin } },
    );
  }
}

/**
 * Validates a plugin's config against its JSON Schema (draft-07 or 2020-12): defaults
 * applied, every error reported at once with the plugin's name and each failing path, keys
 * the schema does not declare flagged, the result deep-frozen. Values never appear in the
 * message or details (they may be secrets); only paths and rules do.
 *
 * @param plugin - plugin name, for the message
 * @param schema - the plugin's JSON Schema (or undefined: any object goes)
 * @param config - the user's config (not modified)
 * @returns the validated, defaulted, frozen config
 * @throws TraceletError `TRACELET_ERR_CONFIG_INVALID` listing every failing path;
 *   `TRACELET_ERR_SCHEMA_INVALID` when the schema itself is unusable
 * @example
 * ```ts
 * validateConfig("x", { type: "object", properties: { n: { type: "number", default: 1 } } }, {});
 * // → { n: 1 } (frozen)
 * ```
 */
export function validateConfig(
  plugin: string,
  schema: Record<string, unknown> | undefined,
  config: unknown,
): Readonly<Record<string, unknown>> {
  const value = cloneConfig(plugin, config);
  if (!schema) return deepFreeze(value);
  const validate = compileSchema(plugin, schema);
  const issues = runValidator(plugin, validate, value) ? [] : (validate.errors ?? []).map((e) => issueOf(e, schema));
  for (const { path, key, known } of unknownKeys(schema, value)) {
    if (!issues.some((i) => i.path === path)) issues.push(unknownKeyIssue(path, key, known));
  }
  if (issues.length > 0) {
    const list = issues.map((i) => `${i.path || "(root)"} ${i.message}`).join("; ");
    throw new TraceletError(
      "TRACELET_ERR_CONFIG_INVALID",
      `Config of plugin "${plugin}" is invalid (${issues.length} problem${issues.length === 1 ? "" : "s"}): ${list}.`,
      { details: { plugin, issues, secretPaths: secretPaths(schema) } },
    );
  }
  return deepFreeze(value);
}
