/**
 * A JSON Schema as `definePlugin` reads it for types: the common subset (object, properties,
 * required, string, number, integer, boolean, null, array/items, enum, const, default). Any
 * other keyword is allowed and ignored by the types (ajv still enforces it).
 */
export interface ConfigSchema {
  /** The JSON type(s). */
  readonly type?: JsonTypeName | readonly JsonTypeName[];
  /** Object properties. */
  readonly properties?: Readonly<Record<string, ConfigSchema>>;
  /** Required property names. */
  readonly required?: readonly string[];
  /** Array items. */
  readonly items?: ConfigSchema;
  /** Allowed values. */
  readonly enum?: readonly unknown[];
  /** The one allowed value. */
  readonly const?: unknown;
  /** Default value (applied by validation: the property is then always present). */
  readonly default?: unknown;
  /** Any other keyword. */
  readonly [keyword: string]: unknown;
}

/** The JSON Schema type names. */
export type JsonTypeName = "string" | "number" | "integer" | "boolean" | "null" | "array" | "object";

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type FromTypeName<N, S> = N extends "string"
  ? string
  : N extends "number" | "integer"
    ? number
    : N extends "boolean"
      ? boolean
      : N extends "null"
        ? null
        : N extends "array"
          ? S extends { items: infer I }
            ? FromSchema<I>[]
            : unknown[]
          : N extends "object"
            ? FromObject<S>
            : unknown;

type HasDefault<S> = S extends { default: unknown } ? true : false;

type RequiredKeys<S, P> = S extends { required: readonly (infer R)[] }
  ? Extract<keyof P, R> | { [K in keyof P]: HasDefault<P[K]> extends true ? K : never }[keyof P]
  : { [K in keyof P]: HasDefault<P[K]> extends true ? K : never }[keyof P];

type FromObject<S> = S extends { properties: infer P }
  ? Simplify<
      { [K in RequiredKeys<S, P>]: FromSchema<P[K]> } & {
        [K in Exclude<keyof P, RequiredKeys<S, P>>]?: FromSchema<P[K]>;
      }
    >
  : Record<string, unknown>;

/**
 * The TypeScript type of the values a JSON Schema accepts, after validation (a property with
 * a `default` is always present). Covers the common subset described by {@link ConfigSchema};
 * anything else becomes `unknown`.
 *
 * @typeParam S - the schema, as a literal type (`as const`, or inferred by `definePlugin`)
 * @example
 * ```ts
 * const schema = { type: "object", properties: { url: { type: "string" } }, required: ["url"] } as const;
 * type Config = FromSchema<typeof schema>; // { url: string }
 * ```
 */
export type FromSchema<S> = S extends { const: infer C }
  ? C
  : S extends { enum: readonly (infer E)[] }
    ? E
    : S extends { type: infer N }
      ? N extends readonly (infer M)[]
        ? FromTypeName<M, S>
        : FromTypeName<N, S>
      : S extends { properties: unknown }
        ? FromObject<S>
        : unknown;
