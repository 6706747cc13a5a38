import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { TRACELET_VERSION } from "../../src/index.js";

describe("TRACELET_VERSION", () => {
  it("equals package.json's version and is 1.x", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    expect(TRACELET_VERSION).toBe(pkg.version);
    expect(TRACELET_VERSION).toMatch(/^1\.\d+\.\d+/);
  });
});
