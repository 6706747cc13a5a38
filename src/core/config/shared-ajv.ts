import { createRequire } from "node:module";
import type { ValidateFunction } from "ajv";
import { TraceletError } from "../errors.js";
import { linearRegExp } from "./linear-regexp.js";

/** The JSON Schema drafts Tracelet validates configs with. */
export type SchemaDraft = "draft-07" | "2020-12";

/** The part of an ajv instance Tracelet uses. */
interface AjvLike {
  compile(schema: object | boolean): ValidateFunction;
  addFormat(name: string, format: RegExp | ((value: string) => boolean)): unknown;
}

const instances = new Map<SchemaDraft, AjvLike>();

/** The formats every Tracelet ajv knows (also used to generate the built-in validators). */
export const FORMATS: Readonly<Record<string, RegExp | ((value: string) => boolean)>> = {
  // Secrets are plain strings; the format only marks them for redaction.
  password: () => true,
  uri: (v) => URL.canParse(v),
  url: (v) => URL.canParse(v),
  email: /^[^\s@]+@[^\s@]+$/,
  "date-time": (v) => /^\d{4}-\d\d-\d\dT/.test(v) && !Number.isNaN(Date.parse(v)),
  date: /^\d{4}-\d\d-\d\d$/,
  hostname: /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i,
  ipv4: /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/,
};

/**
 * The options of every Tracelet ajv: every error collected, defaults applied, nothing coerced
 * (also used to generate the built-in validators, so that they behave the same).
 */
export const ajvOptions: Readonly<Record<string, unknown>> = Object.freeze({
  allErrors: true,
  useDefaults: true,
  strict: false,
  coerceTypes: false,
  // Refuse `$data` references: a config must not steer its own validation.
  $data: false,
  logger: false,
});

/**
 * Which draft a schema asks for through `$schema` (none means draft-07, ajv's default).
 *
 * @param schema - a JSON Schema
 * @returns the draft
 * @throws TraceletError `TRACELET_ERR_SCHEMA_INVALID` for a draft Tracelet does not support
 */
export function draftOf(schema: unknown): SchemaDraft {
  const id = typeof schema === "object" && schema !== null ? (schema as { $schema?: unknown }).$schema : undefined;
  if (id === undefined) return "draft-07";
  if (typeof id === "string" && id.includes("2020-12")) return "2020-12";
  if (typeof id === "string" && id.includes("draft-07")) return "draft-07";
  throw new TraceletError(
    "TRACELET_ERR_SCHEMA_INVALID",
    `Unsupported "$schema" ${JSON.stringify(String(id).slice(0, 100))}: use draft-07 or 2020-12.`,
    { details: { $schema: String(id).slice(0, 100) } },
  );
}

/**
 * The one ajv instance of a draft, created on first use (ajv is CommonJS and costs a few
 * milliseconds to load: a run whose plugins have no schema never pays for it). Every error is
 * collected (`allErrors`), defaults are applied, nothing is coerced, and `pattern`s are matched
 * by a linear-time engine (see linear-regexp.ts).
 *
 * @param draft - `"draft-07"` or `"2020-12"`
 * @returns the shared instance
 */
export function sharedAjv(draft: SchemaDraft): AjvLike {
  let ajv = instances.get(draft);
  if (ajv) return ajv;
  const require = createRequire(import.meta.url);
  const mod = require(draft === "2020-12" ? "ajv/dist/2020" : "ajv") as { default: new (o: object) => AjvLike };
  // Schema patterns come from plugins: matched in linear time, never by the backtracking RegExp.
  ajv = new mod.default({ ...ajvOptions, code: { regExp: linearRegExp } });
  for (const [name, format] of Object.entries(FORMATS)) ajv.addFormat(name, format);
  instances.set(draft, ajv);
  return ajv;
}
