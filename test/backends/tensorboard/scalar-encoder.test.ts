import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  crc32c,
  crc32cSkip,
  crc32cUpdate,
  crc32cWord,
  crc32cZeros,
  maskCrc,
} from "../../../src/backends/tensorboard/crc32c.js";
import { ScalarEncoder } from "../../../src/backends/tensorboard/events.js";
import { allocColumns } from "../../../src/core/data/metric-columns.js";

// A bit-at-a-time CRC-32C straight from the polynomial: shares nothing with the tables under test.
function referenceCrc(bytes: Uint8Array, register = -1): number {
  let crc = register >>> 0;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return crc >>> 0;
}

function readVarint(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (;;) {
    const b = bytes[at++] as number;
    value += (b & 0x7f) * scale;
    if (b < 0x80) return [value, at];
    scale *= 128;
  }
}

interface Decoded {
  wallTime: number;
  step: number;
  tag: string;
  value: number;
}

// Splits framed scalar events, checking both CRCs of each frame against the reference.
function decodeFrames(buf: Uint8Array): Decoded[] {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: Decoded[] = [];
  let at = 0;
  while (at < buf.length) {
    const len = view.getUint32(at, true);
    expect(view.getUint32(at + 4, true)).toBe(0);
    expect(view.getUint32(at + 8, true)).toBe(maskCrc(referenceCrc(buf.subarray(at, at + 8)) ^ 0xffffffff));
    const data = buf.subarray(at + 12, at + 12 + len);
    expect(view.getUint32(at + 12 + len, true)).toBe(maskCrc(referenceCrc(data) ^ 0xffffffff));
    const d = new DataView(data.buffer, data.byteOffset, data.byteLength);
    expect(data[0]).toBe(0x09);
    const wallTime = d.getFloat64(1, true);
    expect(data[9]).toBe(0x10);
    const [step, afterStep] = readVarint(data, 10);
    let p = afterStep;
    expect(data[p++]).toBe(0x2a);
    [, p] = readVarint(data, p);
    expect(data[p++]).toBe(0x0a);
    [, p] = readVarint(data, p);
    expect(data[p++]).toBe(0x0a);
    const [tagLen, tagAt] = readVarint(data, p);
    const tag = Buffer.from(data.subarray(tagAt, tagAt + tagLen)).toString("utf8");
    p = tagAt + tagLen;
    expect(data[p++]).toBe(0x15);
    const value = d.getFloat32(p, true);
    expect(p + 4).toBe(len);
    out.push({ wallTime, step, tag, value });
    at += 12 + len + 4;
  }
  return out;
}

const tagArb = fc.oneof(
  fc.constantFrom("loss", "train/accuracy", "é✓𝔘", "x".repeat(250), "𝔘".repeat(125)),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }),
  fc.string({ unit: "binary", minLength: 1, maxLength: 250 }),
);
const boundaries = [0, 1, 127, 128, 16_383, 16_384, 2 ** 21 - 1, 2 ** 21, 2 ** 28, 2 ** 31, 2 ** 32 + 5];
const stepArb = fc.oneof(
  fc.constantFrom(...boundaries, Number.MAX_SAFE_INTEGER, 2 ** 53, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY),
  fc.nat(200),
  fc.maxSafeNat(),
);
const valueArb = fc.oneof(fc.constantFrom(0, -0, Number.NaN, Infinity, -Infinity, 1e39, -1e-46), fc.double());
const timeArb = fc.oneof(fc.integer({ min: 1_600_000_000_000, max: 1_800_000_000_000 }), fc.double());
const pointArb = fc.record({ tag: fc.nat(5), step: stepArb, value: valueArb, time: timeArb, sameTime: fc.boolean() });

describe("the scalar encoder's CRCs (against a bit-at-a-time CRC-32C)", () => {
  it("crc32cUpdate, crc32cWord, and carrying a register over zeros agree with the reference", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 100 }),
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        fc.nat(1100),
        (bytes, register, zeros) => {
          expect(crc32c(bytes)).toBe((referenceCrc(bytes) ^ 0xffffffff) >>> 0);
          expect(crc32cUpdate(register, bytes) >>> 0).toBe(referenceCrc(bytes, register));
          expect(crc32cSkip(crc32cZeros(zeros), register) >>> 0).toBe(referenceCrc(new Uint8Array(zeros), register));
          const w = Uint8Array.of(1, 2, 3, 4).map((b, k) => bytes[k] ?? b);
          const v = new DataView(w.buffer);
          expect(crc32cWord(register, v.getUint32(0, true)) >>> 0).toBe(referenceCrc(w, register));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("frames every point with both CRCs right and its own time, step, tag and float, batch after batch", () => {
    const encoder = new ScalarEncoder();
    fc.assert(
      fc.property(
        fc.uniqueArray(tagArb, { minLength: 6, maxLength: 6 }),
        fc.array(fc.array(pointArb, { minLength: 1, maxLength: 60 }), { minLength: 1, maxLength: 3 }),
        (tags, batches) => {
          for (const points of batches) {
            const columns = allocColumns(points.length, tags);
            let time = 0;
            points.forEach((p, i) => {
              columns.ids[i] = p.tag;
              columns.steps[i] = p.step;
              columns.values[i] = p.value;
              time = p.sameTime && i > 0 ? time : p.time;
              columns.times[i] = time;
            });
            const got = decodeFrames(encoder.encode(columns));
            expect(got.length).toBe(points.length);
            got.forEach((g, i) => {
              const s = columns.steps[i] as number;
              expect(g.tag).toBe(Buffer.from(tags[columns.ids[i] as number] as string, "utf8").toString("utf8"));
              expect(g.step).toBe(s >= 0 && Number.isSafeInteger(s) ? s : 0);
              expect(Object.is(g.value, Math.fround(columns.values[i] as number))).toBe(true);
              expect(Object.is(g.wallTime, (columns.times[i] as number) / 1000)).toBe(true);
            });
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
