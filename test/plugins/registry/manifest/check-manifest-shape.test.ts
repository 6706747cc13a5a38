import { Ajv } from "ajv";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { manifestShapeErrors } from "../../../../src/plugins/registry/manifest/check-manifest-shape.js";
import { MANIFEST_SCHEMA } from "../../../../src/plugins/registry/manifest/manifest-schema.js";

// The written-out checks and the published JSON Schema must give every value the same verdict.
const schema = new Ajv({ allErrors: true, strict: false }).compile(MANIFEST_SCHEMA);
const agree = (value: unknown): void => {
  expect([manifestShapeErrors(value).length === 0, value]).toEqual([schema(value), value]);
};

const text = fc.oneof(
  fc.constantFrom("", "x", "./index.js", "@a/b", "A", "a b", "a\u{1F600}", "^1.0.0", "backend", "collector"),
  fc.string({ maxLength: 6 }),
  fc.string({ minLength: 210, maxLength: 260 }),
);
const leaf = fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({}));
const stringMap = fc.dictionary(text, fc.oneof(text, leaf), { maxKeys: 3 });
const plugin = fc.record(
  {
    name: fc.oneof(text, leaf),
    type: fc.oneof(fc.constantFrom("backend", "collector", "Backend"), leaf),
    entry: fc.oneof(text, leaf),
    export: fc.oneof(text, leaf),
    version: fc.oneof(text, leaf),
    description: fc.oneof(text, leaf),
    author: fc.oneof(text, leaf),
    configSchema: fc.oneof(text, leaf, fc.constant({ type: "object" })),
    dependencies: fc.oneof(stringMap, leaf),
    requires: fc.oneof(stringMap, leaf),
    entyr: text,
  },
  { requiredKeys: [] },
);
const manifest = fc.record(
  {
    engine: fc.oneof(text, leaf),
    plugins: fc.oneof(fc.array(fc.oneof(plugin, leaf), { maxLength: 3 }), leaf),
    other: leaf,
  },
  { requiredKeys: [] },
);

describe("manifestShapeErrors", () => {
  it("agrees with MANIFEST_SCHEMA (ajv) on manifest-like values", () => {
    fc.assert(fc.property(manifest, agree), { numRuns: 3000 });
  });

  it("agrees with it on a valid manifest with one field changed", () => {
    const keys = [
      "name",
      "type",
      "entry",
      "export",
      "version",
      "description",
      "author",
      "configSchema",
      "dependencies",
      "requires",
    ];
    const valid = { name: "p", type: "backend", entry: "./p.js" };
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.oneof(text, leaf, stringMap), fc.boolean(), (key, value, top) => {
        if (top) agree({ engine: value, plugins: [valid] });
        else agree({ engine: "^1.0.0", plugins: [{ ...valid, [key]: value }] });
      }),
      { numRuns: 3000 },
    );
  });

  it("agrees with it on arbitrary JSON", () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 5 }), agree), { numRuns: 1000 });
  });

  it("agrees at the limits (plugin count, map size)", () => {
    const p = { name: "a", type: "backend", entry: "./a.js" };
    for (const n of [1000, 1001]) agree({ engine: "1", plugins: Array.from({ length: n }, () => p) });
    for (const n of [200, 201]) {
      const deps = Object.fromEntries(Array.from({ length: n }, (_, i) => [`d${i}`, "^1"]));
      agree({ engine: "1", plugins: [{ ...p, dependencies: deps }] });
    }
  });

  it("says what is wrong, where", () => {
    expect(
      manifestShapeErrors({ engine: "^1.0.0", plugins: [{ name: "x", type: "backend", entry: "./x.js", entyr: 1 }] }),
    ).toEqual(['/plugins/0 has unknown key "entyr"']);
    expect(manifestShapeErrors({ plugins: [{ type: "gpu" }] })).toEqual([
      "(root) must have required property 'engine'",
      "/plugins/0 must have required property 'name'",
      "/plugins/0 must have required property 'entry'",
      "/plugins/0/type must be equal to one of the allowed values",
    ]);
  });
});
