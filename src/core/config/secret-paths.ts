/** The path segment that stands for any key or index (items, additional/pattern properties). */
export const ANY_KEY = "*";

// Bounds on the walk: a hostile or huge schema must not make redaction explode.
const MAX_DEPTH = 64;
const MAX_PATHS = 256;

// Keywords whose subschema(s) describe the same value as their parent.
const SAME_VALUE_ONE = ["if", "then", "else"] as const;
const SAME_VALUE_MANY = ["allOf", "anyOf", "oneOf"] as const;
// Keywords whose subschema describes any child of the value.
const ANY_CHILD_ONE = ["additionalProperties", "additionalItems", "unevaluatedProperties", "unevaluatedItems"] as const;

type Schema = Record<string, unknown>;

function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Resolves a local `$ref` (`#` or a JSON pointer `#/...`) against the root schema.
 *
 * @param root - the root schema
 * @param ref - the reference
 * @returns the target, or undefined when it is not local or does not resolve
 */
export function resolveLocalRef(root: unknown, ref: string): unknown {
  if (ref === "#") return root;
  if (!ref.startsWith("#/")) return undefined;
  let cur: unknown = root;
  for (const raw of ref.slice(2).split("/")) {
    let key: string;
    try {
      key = decodeURIComponent(raw).replaceAll("~1", "/").replaceAll("~0", "~");
    } catch {
      return undefined;
    }
    if (typeof cur !== "object" || cur === null || !Object.hasOwn(cur, key)) return undefined;
    cur = (cur as Schema)[key];
  }
  return cur;
}

interface Walk {
  root: unknown;
  out: string[][];
  seen: Set<string>;
  // Schemas on the current branch: a $ref cycle (a tree type) stops at its second visit.
  active: Set<object>;
}

function add(walk: Walk, path: string[]): void {
  const id = JSON.stringify(path);
  if (walk.seen.has(id) || walk.out.length >= MAX_PATHS) return;
  walk.seen.add(id);
  walk.out.push(path);
}

function visit(walk: Walk, node: unknown, path: string[]): void {
  if (!isSchema(node) || walk.active.has(node) || path.length > MAX_DEPTH || walk.out.length >= MAX_PATHS) return;
  if (isSecretSchema(node) && path.length > 0) {
    add(walk, path);
    return;
  }
  walk.active.add(node);
  try {
    if (typeof node.$ref === "string") visit(walk, resolveLocalRef(walk.root, node.$ref), path);
    for (const k of SAME_VALUE_ONE) visit(walk, node[k], path);
    for (const k of SAME_VALUE_MANY) if (Array.isArray(node[k])) for (const s of node[k]) visit(walk, s, path);
    for (const k of ["dependentSchemas", "dependencies"] as const)
      if (isSchema(node[k])) for (const s of Object.values(node[k])) visit(walk, s, path);
    if (isSchema(node.properties))
      for (const [key, sub] of Object.entries(node.properties)) visit(walk, sub, [...path, key]);
    if (isSchema(node.patternProperties))
      for (const sub of Object.values(node.patternProperties)) visit(walk, sub, [...path, ANY_KEY]);
    for (const k of ANY_CHILD_ONE) visit(walk, node[k], [...path, ANY_KEY]);
    for (const k of ["items", "contains"] as const) {
      const items = node[k];
      // Draft-07 tuple `items: [...]` names positions; a single schema covers every element.
      if (Array.isArray(items)) visitTuple(walk, items, path);
      else visit(walk, items, [...path, ANY_KEY]);
    }
    if (Array.isArray(node.prefixItems)) visitTuple(walk, node.prefixItems, path);
  } finally {
    walk.active.delete(node);
  }
}

function visitTuple(walk: Walk, items: readonly unknown[], path: string[]): void {
  for (const [i, sub] of items.entries()) visit(walk, sub, [...path, String(i)]);
}

/**
 * The key paths of a schema's secret values: those whose subschema is marked `writeOnly: true`
 * or `format: "password"`, wherever it sits: under `properties`, `allOf`/`anyOf`/`oneOf`,
 * `if`/`then`/`else`, `items`/`prefixItems`, `additionalProperties`/`patternProperties`, or
 * behind a local `$ref` (into `$defs`/`definitions` or anywhere in the schema). The walk is
 * cycle-safe and bounded. A segment {@link ANY_KEY} stands for every key or index.
 *
 * @param schema - a JSON Schema object
 * @returns key paths, e.g. `[["token"], ["auth", "password"], ["hosts", "*", "key"]]`
 */
export function secretKeyPaths(schema: unknown): string[][] {
  const walk: Walk = { root: schema, out: [], seen: new Set(), active: new Set() };
  visit(walk, schema, []);
  return walk.out;
}

/**
 * The dotted paths of a schema's secret values (see {@link secretKeyPaths}; `*` for any key).
 *
 * @param schema - a JSON Schema object
 * @returns dotted paths, e.g. `["token", "auth.password"]`
 */
export function secretPaths(schema: unknown): string[] {
  return secretKeyPaths(schema).map((p) => p.join("."));
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
