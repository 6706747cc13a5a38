import { ANY_KEY, secretKeyPaths } from "./secret-paths.js";

/** What a secret is replaced with wherever Tracelet shows a config or a message. */
export const REDACTED = "[redacted]";

// Every value at a key path (ANY_KEY matches each own key or index).
function valuesAt(value: unknown, path: readonly string[], out: unknown[]): void {
  if (path.length === 0) {
    out.push(value);
    return;
  }
  if (typeof value !== "object" || value === null) return;
  const [key, ...rest] = path as [string, ...string[]];
  const keys = key === ANY_KEY ? Object.keys(value) : Object.hasOwn(value, key) ? [key] : [];
  for (const k of keys) valuesAt((value as Record<string, unknown>)[k], rest, out);
}

// Replaces every value at a key path, in place.
function redactAt(value: unknown, path: readonly string[]): void {
  if (typeof value !== "object" || value === null || path.length === 0) return;
  const [key, ...rest] = path as [string, ...string[]];
  const keys = key === ANY_KEY ? Object.keys(value) : Object.hasOwn(value, key) ? [key] : [];
  for (const k of keys) {
    if (rest.length === 0) (value as Record<string, unknown>)[k] = REDACTED;
    else redactAt((value as Record<string, unknown>)[k], rest);
  }
}

function collect(value: unknown, out: string[]): void {
  if (typeof value === "string" || typeof value === "number" || typeof value === "bigint") {
    const s = String(value);
    // Very short values would blank out ordinary words of a message; they are still redacted
    // from configs by path, just not searched for in free text.
    if (s.length >= 4) out.push(s);
  } else if (typeof value === "object" && value !== null) {
    for (const v of Object.values(value)) collect(v, out);
  }
}

/**
 * The secret values of a config (by its schema), to be scrubbed from free text.
 *
 * @param schema - the plugin's schema
 * @param config - the config (raw or validated)
 * @returns the values, longest first
 */
export function secretValues(schema: unknown, config: unknown): string[] {
  const found: unknown[] = [];
  for (const path of secretKeyPaths(schema)) valuesAt(config, path, found);
  const out: string[] = [];
  for (const v of found) collect(v, out);
  return [...new Set(out)].sort((a, b) => b.length - a.length);
}

/**
 * A copy of a config with every secret property replaced by {@link REDACTED}; safe to show in
 * status, logs and CLI output.
 *
 * @param schema - the plugin's schema
 * @param config - the config
 * @returns the redacted copy
 */
export function redactConfig(schema: unknown, config: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const copy = structuredClone(config) as Record<string, unknown>;
  for (const path of secretKeyPaths(schema)) redactAt(copy, path);
  return copy;
}

/**
 * Replaces every occurrence of the given secret values in a text.
 *
 * @param text - a message
 * @param secrets - values to hide (from {@link secretValues})
 * @returns the scrubbed text
 */
export function scrubText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}

/**
 * Deep-scrubs every string of a JSON-like value (a plugin's own status, say).
 *
 * @param value - the value
 * @param secrets - values to hide
 * @returns a scrubbed copy
 */
export function scrubValue<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  if (typeof value === "string") return scrubText(value, secrets) as T;
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, secrets)) as T;
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = scrubValue(v, secrets);
    return out as T;
  }
  if ((typeof value === "number" || typeof value === "bigint") && secrets.includes(String(value))) return REDACTED as T;
  return value;
}

/**
 * Scrubs secret values from an error's message and stack, and from its cause's, in place.
 *
 * @param error - the error
 * @param secrets - values to hide
 */
export function scrubError(error: Error, secrets: readonly string[]): void {
  if (secrets.length === 0) return;
  for (const e of [error, error.cause]) {
    if (!(e instanceof Error)) continue;
    e.message = scrubText(e.message, secrets);
    if (e.stack) e.stack = scrubText(e.stack, secrets);
  }
}
