import { TraceletError } from "../errors.js";
import { linearPatternProblem } from "./linear-regexp.js";

/** Bounds on a plugin's config schema: a schema is code, a hostile one must not hang validation. */
export const SCHEMA_LIMITS = Object.freeze({
  /** Longest serialized schema, in characters. */
  maxChars: 64 * 1024,
  /** Deepest nesting of objects and arrays. */
  maxDepth: 32,
  /** Longest `pattern` / `patternProperties` regular expression. */
  maxPatternChars: 256,
});

function invalid(plugin: string, why: string): TraceletError {
  return new TraceletError("TRACELET_ERR_SCHEMA_INVALID", `Plugin "${plugin}" has an unusable configSchema: ${why}.`, {
    details: { plugin },
  });
}

function checkPattern(plugin: string, pattern: unknown, where: string): void {
  if (typeof pattern !== "string") return;
  if (pattern.length > SCHEMA_LIMITS.maxPatternChars)
    throw invalid(plugin, `the pattern at ${where} is longer than ${SCHEMA_LIMITS.maxPatternChars} characters`);
  // Patterns are matched by a linear-time engine (linear-regexp.ts), so no shape can hang
  // validation; what that engine cannot run is refused here, with the reason.
  const problem = linearPatternProblem(pattern);
  if (problem) throw invalid(plugin, `the pattern at ${where} ${problem}`);
}

function walk(plugin: string, node: unknown, depth: number, where: string): void {
  if (typeof node !== "object" || node === null) return;
  if (depth > SCHEMA_LIMITS.maxDepth) throw invalid(plugin, `it is nested deeper than ${SCHEMA_LIMITS.maxDepth}`);
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) walk(plugin, item, depth + 1, `${where}/${i}`);
    return;
  }
  const record = node as Record<string, unknown>;
  checkPattern(plugin, record.pattern, `${where || "/"}pattern`);
  const pp = record.patternProperties;
  if (typeof pp === "object" && pp !== null) for (const key of Object.keys(pp)) checkPattern(plugin, key, where);
  for (const [key, value] of Object.entries(record)) walk(plugin, value, depth + 1, `${where}/${key}`);
}

/**
 * Checks a schema against {@link SCHEMA_LIMITS} before it is compiled.
 *
 * @param plugin - plugin name, for the message
 * @param schema - the schema
 * @throws TraceletError `TRACELET_ERR_SCHEMA_INVALID` when it is not an object, too large, too
 *   deep, or holds a dangerous pattern
 */
export function checkSchemaLimits(plugin: string, schema: unknown): void {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema))
    throw invalid(plugin, "it must be a JSON Schema object");
  let text: string;
  try {
    text = JSON.stringify(schema);
  } catch (error) {
    throw new TraceletError("TRACELET_ERR_SCHEMA_INVALID", `Plugin "${plugin}" has a configSchema that is not JSON.`, {
      cause: error,
      details: { plugin },
    });
  }
  if (text.length > SCHEMA_LIMITS.maxChars)
    throw invalid(plugin, `it is larger than ${SCHEMA_LIMITS.maxChars} characters`);
  walk(plugin, schema, 0, "");
}
