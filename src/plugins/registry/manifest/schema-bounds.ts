import { MAX_SCHEMA_DEPTH, MAX_SCHEMA_NODES } from "./manifest-types.js";

/**
 * Checks that a config schema is small and shallow enough to compile safely. Walks
 * iteratively and stops at the first bound crossed, so a hostile schema costs little.
 *
 * @param schema - the schema object
 * @returns why it is unusable, or undefined when it is within bounds
 */
export function schemaBoundsProblem(schema: unknown): string | undefined {
  const stack: Array<[unknown, number]> = [[schema, 1]];
  let nodes = 0;
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    nodes++;
    if (nodes > MAX_SCHEMA_NODES) return `it holds more than ${MAX_SCHEMA_NODES} values`;
    if (typeof value !== "object" || value === null) continue;
    if (depth > MAX_SCHEMA_DEPTH) return `it is nested deeper than ${MAX_SCHEMA_DEPTH} levels`;
    const children = Array.isArray(value) ? value : Object.values(value);
    for (const child of children) stack.push([child, depth + 1]);
  }
  return undefined;
}
