import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ALL_ERROR_CODES } from "../../../../src/index.js";
import { MAX_PLUGINS_PER_PACKAGE } from "../../../../src/plugins/registry/manifest/manifest-types.js";
import { namedPlugins, validateManifest } from "../../../../src/plugins/registry/manifest/validate-manifest.js";

const segment = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,20}$/);
const pluginName = fc.oneof(
  segment,
  fc.tuple(segment, segment).map(([s, n]) => `@${s}/${n}`),
);
const range = fc.constantFrom("^1.0.0", ">=1.2.3", "1.x", "*", "~2.1.0 || ^3.0.0");
const plugin = fc.record(
  {
    name: pluginName,
    type: fc.constantFrom("backend", "collector"),
    entry: fc.constantFrom("./index.js", "dist/x.js", "./lib/a/b.mjs"),
    export: fc.string({ minLength: 1, maxLength: 20 }),
    version: fc.constantFrom("1.0.0", "2.3.4-beta.1"),
    description: fc.string({ maxLength: 50 }),
    author: fc.string({ maxLength: 20 }),
    configSchema: fc.oneof(fc.constant({ type: "object" }), fc.constant("./schema.json")),
    dependencies: fc.dictionary(segment, range, { maxKeys: 3 }),
    requires: fc.dictionary(segment, range, { maxKeys: 3 }),
  },
  { requiredKeys: ["name", "type", "entry"] },
);
const manifest = fc.record({
  engine: range,
  plugins: fc.uniqueArray(plugin, { maxLength: 8, selector: (p) => p.name }),
});

describe("validateManifest (properties)", () => {
  it("accepts every well-formed manifest, unchanged", () => {
    fc.assert(
      fc.property(manifest, (m) => {
        const copy = structuredClone(m);
        const result = validateManifest(m);
        expect(result.issues).toEqual([]);
        expect(result.manifest).toEqual(copy);
      }),
    );
  });

  it("never throws on arbitrary JSON, and always answers with a manifest or a coded issue", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const result = validateManifest(value);
        if (!result.manifest) expect(result.issues.length).toBeGreaterThan(0);
        for (const issue of result.issues) expect(ALL_ERROR_CODES).toContain(issue.code);
        expect(() => namedPlugins(value)).not.toThrow();
      }),
    );
  });

  it("refuses any plugin name outside the allowed pattern", () => {
    const bad = fc
      .string({ minLength: 1, maxLength: 30 })
      .filter((s) => !/^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/.test(s));
    fc.assert(
      fc.property(manifest, bad, (m, name) => {
        const broken = { ...m, plugins: [{ name, type: "backend", entry: "./x.js" }] };
        expect(validateManifest(broken).manifest).toBeUndefined();
      }),
    );
  });

  it("refuses a manifest that drops a required field or adds an unknown plugin key", () => {
    fc.assert(
      fc.property(manifest, fc.constantFrom("engine", "plugins"), (m, key) => {
        const { [key]: _dropped, ...rest } = m;
        expect(validateManifest(rest).issues[0]?.code).toBe("TRACELET_ERR_MANIFEST_INVALID");
      }),
    );
    fc.assert(
      fc.property(
        manifest.filter((m) => m.plugins.length > 0),
        (m) => {
          const typo = { ...m, plugins: [{ ...m.plugins[0], entyr: "./x.js" }] };
          expect(validateManifest(typo).manifest).toBeUndefined();
        },
      ),
    );
  });

  it("bounds the number of plugins and the size of inline schemas", () => {
    const many = Array.from({ length: MAX_PLUGINS_PER_PACKAGE + 1 }, (_, i) => ({
      name: `p${i}`,
      type: "backend",
      entry: "./x.js",
    }));
    expect(validateManifest({ engine: "^1.0.0", plugins: many }).manifest).toBeUndefined();
    let deep: Record<string, unknown> = { type: "string" };
    for (let i = 0; i < 200; i++) deep = { type: "object", properties: { x: deep } };
    const result = validateManifest({
      engine: "^1.0.0",
      plugins: [{ name: "d", type: "backend", entry: "./x.js", configSchema: deep }],
    });
    expect(result.issues).toEqual([expect.objectContaining({ code: "TRACELET_ERR_SCHEMA_INVALID", plugin: "d" })]);
  });

  it("refuses duplicate names in one package and ranges that are not semver", () => {
    const p = { name: "x", type: "backend", entry: "./x.js" };
    expect(validateManifest({ engine: "^1.0.0", plugins: [p, p] }).manifest).toBeUndefined();
    expect(validateManifest({ engine: "soon", plugins: [p] }).manifest).toBeUndefined();
    const dep = validateManifest({ engine: "^1", plugins: [{ ...p, dependencies: { y: "latest!" } }] });
    expect(dep.issues[0]).toMatchObject({ code: "TRACELET_ERR_MANIFEST_INVALID", plugin: "x" });
  });
});
