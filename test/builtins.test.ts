import { describe, expect, it } from "vitest";
import { BUILTIN_PLUGINS } from "../src/builtins.js";
import { collectorSchema } from "../src/core/config/collector-schema.js";
import { schemaKey } from "../src/core/config/config-validator.js";
import { checkSchemaLimits } from "../src/core/config/schema-limits.js";
import { draftOf, sharedAjv } from "../src/core/config/shared-ajv.js";

const effective = BUILTIN_PLUGINS.flatMap(({ metadata, validator }) => {
  const schema = metadata.type === "collector" ? collectorSchema(metadata.configSchema) : metadata.configSchema;
  return schema ? [{ name: metadata.name, schema, validator }] : [];
});

// Configs that exercise defaults, every kind of error, and unknown keys.
const SAMPLES: unknown[] = [
  {},
  { fsync: false, dir: "/tmp/x" },
  { fsync: "yes", dir: 3, extra: true },
  { intervalMs: 0, samplesBeforeLogging: 2.5, perCore: "x", diskPaths: ["/", 3], source: "other", pid: -1 },
  { intervalMs: 500, gpu: false, nvidiaSmiPath: "/usr/bin/nvidia-smi", processTree: true, unknownKey: 1 },
  { include: ["PATH", 3], exclude: "x", intervalMs: 1000 },
  [],
  null,
];

describe("the precompiled validators of the built-in plugins (scripts/gen-builtin-validators.mjs)", () => {
  it.each(effective)("exist for the current schema of $name (else: run the generator)", ({ schema, validator }) => {
    expect(validator[0]).toBe(schemaKey(schema));
  });

  // compileSchema skips the limits check for a schema with a precompiled validator.
  it.each(effective)("are generated only for schemas within the schema limits ($name)", ({ name, schema }) => {
    expect(() => checkSchemaLimits(name, schema)).not.toThrow();
  });

  it.each(effective)("behave as ajv does for $name: same verdict, errors and defaults", ({ schema, validator }) => {
    if (validator[0] !== schemaKey(schema)) throw new Error("stale: see the test above");
    const precompiled = validator[1];
    const { $id: _id, ...anonymous } = schema;
    const compiled = sharedAjv(draftOf(schema)).compile(anonymous);
    for (const sample of SAMPLES) {
      const a = structuredClone(sample);
      const b = structuredClone(sample);
      expect(precompiled(a)).toBe(compiled(b));
      expect(precompiled.errors ?? null).toEqual(compiled.errors ?? null);
      expect(a).toEqual(b);
    }
  });
});
