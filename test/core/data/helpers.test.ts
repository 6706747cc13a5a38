import { describe, expect, it } from "vitest";
import { backoffDelay } from "../../../src/core/data/backoff.js";
import { CoarseClock } from "../../../src/core/data/coarse-clock.js";
import { flattenParams } from "../../../src/core/data/flatten-params.js";
import { NameTable } from "../../../src/core/data/name-table.js";

describe("backoffDelay", () => {
  it("doubles from the initial delay, is capped, and jitters between 0.5x and 1.5x", () => {
    const o = { initialDelayMs: 100, maxDelayMs: 1000 };
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, o, 0.5))).toEqual([100, 200, 400, 800]);
    expect(backoffDelay(10, o, 0.5)).toBe(1000);
    expect(backoffDelay(0, o, 0)).toBe(50);
    expect(backoffDelay(0, o, 0.999)).toBe(150);
    expect(backoffDelay(10, o, 0.999)).toBe(1000);
  });
});

describe("NameTable", () => {
  it("interns valid names once and refuses invalid ones with a reason", () => {
    const t = new NameTable();
    expect(t.intern("loss")).toBe(0);
    expect(t.intern("acc")).toBe(1);
    expect(t.intern("loss")).toBe(0);
    expect(typeof t.intern("")).toBe("string");
    expect(typeof t.intern(7)).toBe("string");
    for (let i = 0; i < 200; i++) t.intern(`m${i}`);
    expect(t.size).toBe(202);
    expect(t.next.length).toBeGreaterThanOrEqual(202);
  });
});

describe("CoarseClock", () => {
  it("reads the clock, reuses the reading for fast calls, and re-reads after a microtask turn", async () => {
    const clock = new CoarseClock();
    const first = clock.read();
    expect(Math.abs(first - Date.now())).toBeLessThan(1000);
    expect(clock.budget).toBeGreaterThanOrEqual(1);
    await Promise.resolve();
    expect(clock.budget).toBe(0);
  });
});

describe("flattenParams", () => {
  it("joins nested keys with dots and keeps non-plain values whole", () => {
    const date = new Date(0);
    expect(flattenParams({ a: { b: 1, c: { d: "x" } }, e: [1, { f: 2 }], g: date, h: {}, i: null })).toEqual({
      "a.b": 1,
      "a.c.d": "x",
      e: [1, { f: 2 }],
      g: date,
      h: {},
      i: null,
    });
  });
});
