const INTERVAL = Object.freeze({
  type: "integer",
  minimum: 1,
  description: "Sampling interval of a collector, ms (the scheduler samples at most every 100 ms).",
});
const AVERAGE = Object.freeze({
  type: "integer",
  minimum: 1,
  description: "Samples averaged into each emitted point (default 1: every sample is emitted).",
});
// The keys Tracelet handles for every collector, whatever its own schema says.
const ENGINE_KEYS = Object.freeze({ intervalMs: INTERVAL, samplesBeforeLogging: AVERAGE });
const collectorSchemas = new WeakMap<object, Record<string, unknown>>();
const OPEN_COLLECTOR_SCHEMA = Object.freeze({
  type: "object",
  properties: ENGINE_KEYS,
  additionalProperties: true,
});

/**
 * The schema a collector's config is validated with: its own plus `intervalMs` and
 * `samplesBeforeLogging`, which every collector accepts and Tracelet handles. Cached per schema.
 *
 * @param schema - the collector's schema (or undefined)
 * @returns the extended schema
 */
export function collectorSchema(schema: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!schema) return OPEN_COLLECTOR_SCHEMA;
  // A schema without `properties` (e.g. `{ type: "object", additionalProperties: false }`) must
  // still accept the engine's keys: they are added to an empty property list.
  const props = typeof schema.properties === "object" && schema.properties !== null ? schema.properties : {};
  let extended = collectorSchemas.get(schema);
  if (!extended) {
    extended = { ...schema, properties: { ...ENGINE_KEYS, ...props } };
    collectorSchemas.set(schema, extended);
  }
  return extended;
}
