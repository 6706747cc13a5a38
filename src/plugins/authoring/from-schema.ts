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

/** A schema with `const` (type-level pattern of {@link FromSchema}). */
export interface ConstSchema<C> {
  /** The one allowed value. */
  readonly const: C;
}

/** A schema with `enum` (type-level pattern of {@link FromSchema}). */
export interface EnumSchema<E> {
  /** The allowed values. */
  readonly enum: readonly E[];
}

/** A schema with `type` (type-level pattern of {@link FromSchema}). */
export interface TypedSchema<N> {
  /** The JSON type(s). */
  readonly type: N;
}

/** A schema with `properties` (type-level pattern of {@link FromSchema}). */
export interface ObjectSchema<P> {
  /** Object properties. */
  readonly properties: P;
}

/** A schema with `items` (type-level pattern of {@link FromSchema}). */
export interface ArraySchema<I> {
  /** Array items. */
  readonly items: I;
}

/** A schema with `required` (type-level pattern of {@link FromSchema}). */
export interface RequiredSchema<R> {
  /** Required property names. */
  readonly required: readonly R[];
}

/** A schema with `default` (type-level pattern of {@link FromSchema}). */
export interface DefaultedSchema {
  /** The default value. */
  readonly default: unknown;
}

/** Flattens an intersection into one object type (for readable hovers). */
export type Simplify<T> = { [K in keyof T]: T[K] } & {};

/**
 * The type of one JSON type name `N` of schema `S`.
 *
 * @typeParam N - a {@link JsonTypeName}
 * @typeParam S - the schema it belongs to (for `items` and `properties`)
 */
export type FromTypeName<N, S> = N extends "string"
  ? string
  : N extends "number" | "integer"
    ? number
    : N extends "boolean"
      ? boolean
      : N extends "null"
        ? null
        : N extends "array"
          ? S extends ArraySchema<infer I>
            ? FromSchema<I>[]
            : unknown[]
          : N extends "object"
            ? FromObject<S>
            : unknown;

/**
 * The keys of an object schema present after validation: `required` ones and those with a
 * `default`.
 *
 * @typeParam S - the object schema
 * @typeParam P - its `properties`
 */
export type PresentKeys<S, P> =
  | (S extends RequiredSchema<infer R> ? Extract<keyof P, R> : never)
  | { [K in keyof P]: P[K] extends DefaultedSchema ? K : never }[keyof P];

/**
 * The type of an object schema's values: present keys required, the others optional.
 *
 * @typeParam S - the object schema
 */
export type FromObject<S> =
  S extends ObjectSchema<infer P>
    ? Simplify<
        { [K in PresentKeys<S, P>]: FromSchema<P[K]> } & {
          [K in Exclude<keyof P, PresentKeys<S, P>>]?: FromSchema<P[K]>;
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
export type FromSchema<S> =
  S extends ConstSchema<infer C>
    ? C
    : S extends EnumSchema<infer E>
      ? E
      : S extends TypedSchema<infer N>
        ? N extends readonly (infer M)[]
          ? FromTypeName<M, S>
          : FromTypeName<N, S>
        : S extends ObjectSchema<unknown>
          ? FromObject<S>
          : unknown;
