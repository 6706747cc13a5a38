import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mentionsTracelet } from "../../../src/plugins/discovery/read-package-text.js";

describe("mentionsTracelet", () => {
  it("agrees with a plain search for the key", () => {
    const piece = fc.constantFrom(
      '"tracelet"',
      "tracelet",
      '"tra',
      'celet"',
      '"',
      "t",
      "x",
      "celet",
      '"tracelet',
      "\n",
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const text = pieces.join("");
        expect(mentionsTracelet(Buffer.from(text))).toBe(text.includes('"tracelet"'));
      }),
    );
    expect(mentionsTracelet(Buffer.from('{"name":"x","tracelet":{}}'))).toBe(true);
    expect(mentionsTracelet(Buffer.from('{"name":"x","traceletx":{}}'))).toBe(false);
  });
});
