/**
 * Flattens nested parameters into dotted keys: `{ opt: { lr: 1 } }` → `{ "opt.lr": 1 }`.
 * Arrays, dates and other non-plain objects are kept as leaf values; an empty object stays `{}`.
 *
 * @param params - nested parameters
 * @param prefix - key prefix (used in recursion)
 * @param out - the target (used in recursion)
 * @returns the flat record
 * @example
 * ```ts
 * flattenParams({ optimizer: { name: "adam", lr: 1e-3 } }); // { "optimizer.name": "adam", "optimizer.lr": 0.001 }
 * ```
 */
export function flattenParams(
  params: Record<string, unknown>,
  prefix = "",
  out: Record<string, unknown> = {},
): Record<string, unknown> {
  for (const [key, value] of Object.entries(params)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (isPlainObject(value) && Object.keys(value).length > 0) flattenParams(value, path, out);
    else out[path] = value;
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
