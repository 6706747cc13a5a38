import { describe, expect, it } from "vitest";
import { decodeLine, decodeText, RecordEncoder } from "../../../src/core/data/record-codec.js";

describe("record codec", () => {
  it("round-trips names that need escaping and non-finite values", () => {
    const points = [
      { name: 'quote"and\\slash', value: 0.1, step: 0, timestamp: 1 },
      { name: "损失 🚀", value: Number.NaN, step: 1, timestamp: 2 },
      { name: "x", value: Number.POSITIVE_INFINITY, step: 2, timestamp: 3 },
      { name: "x", value: Number.NEGATIVE_INFINITY, step: 3, timestamp: 4 },
      { name: "x", value: 1e-300, step: 4, timestamp: 5 },
    ];
    const text = new RecordEncoder().encode(points);
    expect(text).not.toContain("null");
    expect(text.split("\n")).toHaveLength(6);
    expect(decodeText(text)).toEqual({ points, skipped: 0 });
  });

  it("skips a torn last line and lines that are not metrics", () => {
    const enc = new RecordEncoder();
    const whole = enc.encode([{ name: "a", value: 1, step: 0, timestamp: 0 }]);
    const torn = enc.encode([{ name: "a", value: 2, step: 1, timestamp: 0 }]).slice(0, 20);
    const { points, skipped } = decodeText(`${whole}{"other":1}\n${torn}`);
    expect(points.map((p) => p.value)).toEqual([1]);
    expect(skipped).toBe(2);
    expect(decodeLine('{"name":"a","value":null,"step":0,"timestamp":0}')).toBeUndefined();
  });

  it("still encodes correctly after its name cache is cleared", () => {
    const enc = new RecordEncoder(2);
    const batch = ["a", "b", "c", "a"].map((name, step) => ({ name, value: step, step, timestamp: 0 }));
    expect(decodeText(enc.encode(batch)).points).toEqual(batch);
  });

  it("knows the UTF-8 length of what it encoded, names outside ASCII included", () => {
    const enc = new RecordEncoder(2);
    const names = ["loss", "损失", "🚀/rate", 'q"\\', "é", "loss"];
    const batch = names.map((name, i) => ({ name, value: i % 2 ? -0 : Number.NaN, step: i, timestamp: i }));
    for (let from = 0; from < batch.length; from++) {
      const text = enc.encode(batch, from);
      expect(enc.bytes).toBe(Buffer.byteLength(text));
    }
  });
});
