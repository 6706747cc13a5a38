/** One key of a config that its schema does not know. */
export interface UnknownKey {
  /** JSON pointer of the key. */
  path: string;
  /** The key itself. */
  key: string;
  /** The keys its schema declares there (for "did you mean"). */
  known: string[];
}

type Schema = Record<string, unknown>;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

// Where a schema combines others or says nothing about extra keys, they may be legitimate.
const OPEN_KEYWORDS = [
  "additionalProperties",
  "patternProperties",
  "unevaluatedProperties",
  "allOf",
  "anyOf",
  "oneOf",
  "$ref",
  "if",
  "dependentSchemas",
];

/**
 * Finds keys of a config that are not declared by the `properties` of the (sub)schema they sit
 * under, where that schema does not itself say what extra keys may be. A schema with
 * `additionalProperties` (or any combinator) is left to ajv.
 *
 * @param schema - the plugin's schema
 * @param value - the config (after defaults)
 * @param path - JSON pointer prefix (recursion)
 * @returns the unknown keys, each by JSON pointer
 */
export function unknownKeys(schema: unknown, value: unknown, path = ""): UnknownKey[] {
  if (!isObject(schema) || !isObject(value)) return [];
  const properties = schema.properties;
  if (!isObject(properties)) return [];
  const out: UnknownKey[] = [];
  const closed = !OPEN_KEYWORDS.some((k) => (schema as Schema)[k] !== undefined);
  for (const [key, sub] of Object.entries(value)) {
    const child = `${path}/${escapePointer(key)}`;
    if (Object.hasOwn(properties, key)) out.push(...unknownKeys(properties[key], sub, child));
    else if (closed) out.push({ path: child, key, known: Object.keys(properties) });
  }
  return out;
}

function escapePointer(key: string): string {
  return key.replaceAll("~", "~0").replaceAll("/", "~1");
}
