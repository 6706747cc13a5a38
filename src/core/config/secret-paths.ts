/**
 * The dotted paths of a schema's secret properties: those marked `writeOnly: true` or
 * `format: "password"`, at any depth of `properties`.
 *
 * @param schema - a JSON Schema object
 * @param prefix - path prefix (recursion)
 * @returns dotted paths, e.g. `["token", "auth.password"]`
 */
export function secretPaths(schema: unknown, prefix = ""): string[] {
  if (typeof schema !== "object" || schema === null) return [];
  const properties = (schema as { properties?: Record<string, unknown> }).properties;
  if (typeof properties !== "object" || properties === null) return [];
  const out: string[] = [];
  for (const [key, sub] of Object.entries(properties)) {
    if (typeof sub !== "object" || sub === null) continue;
    const path = prefix ? `${prefix}.${key}` : key;
    if (isSecretSchema(sub)) out.push(path);
    else out.push(...secretPaths(sub, path));
  }
  return out;
}

/**
 * Whether one (sub)schema marks its value secret.
 *
 * @param schema - a JSON Schema
 * @returns true for `writeOnly: true` or `format: "password"`
 */
export function isSecretSchema(schema: unknown): boolean {
  if (typeof schema !== "object" || schema === null) return false;
  const s = schema as { writeOnly?: unknown; format?: unknown };
  return s.writeOnly === true || s.format === "password";
}
