import { describe, expect, it } from "vitest";
import { redactConfig, secretValues } from "../../../src/core/config/redact.js";
import { secretKeyPaths } from "../../../src/core/config/secret-paths.js";

const secret = { type: "string", writeOnly: true };

describe("secretKeyPaths", () => {
  it("finds secrets under every applicator and behind local $refs", () => {
    const schema = {
      definitions: { pw: { type: "string", format: "password" } },
      $defs: { node: { type: "object", properties: { key: secret, child: { $ref: "#/$defs/node" } } } },
      properties: {
        a: { anyOf: [{ properties: { s: secret } }] },
        b: { oneOf: [{ type: "null" }, { properties: { s: secret } }] },
        c: {
          if: { properties: { s: secret } },
          // biome-ignore lint/suspicious/noThenProperty: a JSON Schema keyword
          then: { properties: { t: secret } },
          else: { properties: { u: secret } },
        },
        list: { items: { properties: { s: secret } } },
        tuple: { prefixItems: [{ type: "string" }, secret] },
        map: { additionalProperties: secret },
        pat: { patternProperties: { "^x": { properties: { s: secret } } } },
        ref: { $ref: "#/definitions/pw" },
        tree: { $ref: "#/$defs/node" },
        "a~b/c": { $ref: "#/properties/a~0b~1c/$defs/inner", $defs: { inner: { properties: { s: secret } } } },
      },
    };
    expect(secretKeyPaths(schema)).toEqual(
      expect.arrayContaining([
        ["a", "s"],
        ["b", "s"],
        ["c", "s"],
        ["c", "t"],
        ["c", "u"],
        ["list", "*", "s"],
        ["tuple", "1"],
        ["map", "*"],
        ["pat", "*", "s"],
        ["ref"],
        ["tree", "key"],
        ["a~b/c", "s"],
      ]),
    );
  });

  it("stops at $ref cycles and ignores refs that do not resolve", () => {
    const schema = {
      $ref: "#",
      properties: { self: { $ref: "#" }, far: { $ref: "other.json#/x" }, bad: { $ref: "#/nope" } },
    };
    expect(secretKeyPaths(schema)).toEqual([]);
  });

  it("redacts and collects every value a wildcard path matches", () => {
    const schema = {
      properties: { hosts: { items: { properties: { key: secret } } }, map: { additionalProperties: secret } },
    };
    const config = { hosts: [{ key: "k-one-1111" }, { key: "k-two-2222", name: "n" }], map: { a: "m-aaa-3333" } };
    expect(redactConfig(schema, config)).toEqual({
      hosts: [{ key: "[redacted]" }, { key: "[redacted]", name: "n" }],
      map: { a: "[redacted]" },
    });
    // Each value comes with its encoded forms (base64 and the like); the values themselves:
    expect(secretValues(schema, config)).toEqual(expect.arrayContaining(["k-one-1111", "k-two-2222", "m-aaa-3333"]));
    expect(secretValues(schema, config)).toContain(Buffer.from("k-one-1111").toString("base64").slice(0, 12));
  });
});
