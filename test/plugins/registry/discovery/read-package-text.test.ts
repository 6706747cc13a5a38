import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  mentionsTracelet,
  mentionsTraceletBefore,
} from "../../../../src/plugins/registry/discovery/read-package-text.js";

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

  it("looks only before the end in a reused buffer, whatever an earlier file left after it", () => {
    const piece = fc.constantFrom('"tracelet"', '"tra', 'celet"', "celet", "c", "e", '"', "x");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 20 }), fc.array(piece, { maxLength: 20 }), (now, before) => {
        const text = now.join("");
        const shared = Buffer.alloc(text.length + 200);
        // What a longer earlier file left behind, the key included.
        shared.write(`${before.join("")}"tracelet"`.padStart(text.length + 40, "x"));
        shared.write(text);
        expect(mentionsTraceletBefore(shared, Buffer.byteLength(text))).toBe(text.includes('"tracelet"'));
      }),
    );
  });
});
