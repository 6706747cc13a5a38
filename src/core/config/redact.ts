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

// Replaces (or, with `remove`, deletes) every value at a key path, in place. An array's items
// are replaced, never deleted: deleting would leave holes that JSON writes as null.
function redactAt(value: unknown, path: readonly string[], remove = false): void {
  if (typeof value !== "object" || value === null || path.length === 0) return;
  const [key, ...rest] = path as [string, ...string[]];
  const keys = key === ANY_KEY ? Object.keys(value) : Object.hasOwn(value, key) ? [key] : [];
  for (const k of keys) {
    if (rest.length > 0) redactAt((value as Record<string, unknown>)[k], rest, remove);
    else if (remove && !Array.isArray(value)) delete (value as Record<string, unknown>)[k];
    else (value as Record<string, unknown>)[k] = REDACTED;
  }
}

function collect(value: unknown, out: string[]): void {
  if (typeof value === "string" || typeof value === "number" || typeof value === "bigint") {
    const s = String(value);
    // Very short values would blank out ordinary words of a message; they are still redacted
    // from configs by path, just not searched for in free text.
    if (s.length >= MIN_FORM_CHARS) out.push(s);
  } else if (typeof value === "object" && value !== null) {
    for (const v of Object.values(value)) collect(v, out);
  }
}

/**
 * A copy of a config without the values at the given key paths (a segment {@link ANY_KEY}
 * matches every key or array index), and with every other string that contains one of those
 * values scrubbed: what may be written to disk, where it outlives the process that knew them.
 *
 * @param config - the config
 * @param paths - key paths (from {@link secretKeyPaths}), or dotted paths
 * @returns the copy
 */
export function withoutSecretPaths(
  config: Readonly<Record<string, unknown>>,
  paths: ReadonlyArray<readonly string[] | string>,
): Record<string, unknown> {
  const keyPaths = paths.map((p) => (typeof p === "string" ? p.split(".") : p));
  const found: unknown[] = [];
  for (const path of keyPaths) valuesAt(config, path, found);
  const copy = structuredClone(config) as Record<string, unknown>;
  for (const path of keyPaths) redactAt(copy, path, true);
  return scrubValue(copy, formsOf(found));
}

// Shortest text searched for: shorter ones would blank out ordinary words (or base64 runs).
const MIN_FORM_CHARS = 4;

// The part of base64(prefix + value) that depends on the value's bytes alone, for each of the
// three alignments the value can have inside a longer encoded text (`user:password` in a
// Basic auth header, say): the groups holding other bytes are cut off.
function base64Cores(value: string): string[] {
  const bytes = Buffer.from(value, "utf8");
  const out: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const padded = Buffer.concat([Buffer.alloc(shift), bytes]);
    const whole = Math.floor(padded.length / 3) * 4;
    for (const encoding of ["base64", "base64url"] as const) {
      out.push(padded.toString(encoding).slice(shift > 0 ? 4 : 0, whole));
    }
  }
  return out;
}

/**
 * The forms in which a secret value may show up in text Tracelet or a plugin produces: as is,
 * URL-encoded (`encodeURIComponent`, and with `+` for spaces), escaped inside a JSON string, and
 * base64 / base64url encoded at any alignment within a longer encoded text. Forms shorter than
 * 4 characters are left out (they would blank out ordinary words).
 *
 * @param value - a secret value
 * @returns its distinct forms, longest first
 */
export function secretForms(value: string): string[] {
  const forms = [value, JSON.stringify(value).slice(1, -1), ...base64Cores(value)];
  try {
    const uri = encodeURIComponent(value);
    forms.push(uri, uri.replaceAll("%20", "+"));
  } catch {
    // a lone surrogate cannot be URL-encoded, so it cannot appear URL-encoded either
  }
  return [...new Set(forms.filter((f) => f.length >= MIN_FORM_CHARS))].sort((a, b) => b.length - a.length);
}

function formsOf(found: readonly unknown[]): string[] {
  const raw: string[] = [];
  for (const v of found) collect(v, raw);
  const out = new Set<string>();
  for (const value of raw) for (const form of secretForms(value)) out.add(form);
  return [...out].sort((a, b) => b.length - a.length);
}

/**
 * The secret values of a config (by its schema), to be scrubbed from free text, each in every
 * form of {@link secretForms} (URL-encoded, JSON-escaped, base64).
 *
 * @param schema - the plugin's schema
 * @param config - the config (raw or validated)
 * @returns the values and their forms, longest first
 */
export function secretValues(schema: unknown, config: unknown): string[] {
  const found: unknown[] = [];
  for (const path of secretKeyPaths(schema)) valuesAt(config, path, found);
  return formsOf(found);
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
