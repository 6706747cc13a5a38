import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ALL_ERROR_CODES, ERROR_CODES, isTraceletError, TraceletError } from "../../src/index.js";

const CONTRACT_CODES = [
  "TRACELET_ERR_MANIFEST_INVALID",
  "TRACELET_ERR_ENTRY_OUTSIDE_PACKAGE",
  "TRACELET_ERR_ENGINE_INCOMPATIBLE",
  "TRACELET_ERR_DEPENDENCY_MISSING",
  "TRACELET_ERR_DEPENDENCY_VERSION",
  "TRACELET_ERR_DEPENDENCY_CYCLE",
  "TRACELET_ERR_DUPLICATE_PLUGIN",
  "TRACELET_ERR_PLUGIN_NOT_FOUND",
  "TRACELET_ERR_PLUGIN_DENIED",
  "TRACELET_ERR_LOAD_FAILED",
  "TRACELET_ERR_CONFIG_INVALID",
  "TRACELET_ERR_HOOK_TIMEOUT",
  "TRACELET_ERR_HOOK_FAILED",
  "TRACELET_ERR_INVALID_METRIC",
  "TRACELET_ERR_RUN_STOPPED",
];

describe("error codes", () => {
  it("include every code of the contract", () => {
    for (const code of CONTRACT_CODES) expect(ALL_ERROR_CODES).toContain(code);
  });

  it("are exactly the codes documented in docs/errors.md, in the same order", () => {
    const doc = readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8");
    const documented = [...doc.matchAll(/^\| `(TRACELET_ERR_[A-Z_]+)` *\|/gm)].map((m) => m[1]);
    expect(documented).toEqual([...ALL_ERROR_CODES]);
  });

  it("each document its fix in the docs row", () => {
    const doc = readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8");
    for (const code of ALL_ERROR_CODES) {
      const row = doc.split("\n").find((l) => l.startsWith(`| \`${code}\``));
      expect(row, code).toContain(ERROR_CODES[code]);
    }
  });
});

describe("TraceletError", () => {
  it("carries code, details, cause and a message ending with the fix", () => {
    const cause = new Error("disk full");
    const e = new TraceletError("TRACELET_ERR_SPOOL_FAILED", "Could not spool.", { cause, details: { plugin: "x" } });
    expect(e.code).toBe("TRACELET_ERR_SPOOL_FAILED");
    expect(e.cause).toBe(cause);
    expect(e.details).toEqual({ plugin: "x" });
    expect(e.message.endsWith(ERROR_CODES.TRACELET_ERR_SPOOL_FAILED)).toBe(true);
    expect(e).toBeInstanceOf(Error);
    expect(JSON.parse(JSON.stringify(e))).toMatchObject({ code: "TRACELET_ERR_SPOOL_FAILED" });
  });

  it("is recognised across copies of the library, and impostors are not", async () => {
    // A second copy: the built dist/ next to the src/ under test (build runs before the tests).
    const other = (await import("../../dist/index.js")) as unknown as typeof import("../../src/core/errors.js");
    expect(other.TraceletError).not.toBe(TraceletError);
    const foreign = new other.TraceletError("TRACELET_ERR_LOAD_FAILED", "x");
    expect(foreign instanceof TraceletError).toBe(false);
    expect(isTraceletError(foreign)).toBe(true);
    expect(isTraceletError({ code: "TRACELET_ERR_LOAD_FAILED", message: "fake" })).toBe(false);
    expect(isTraceletError(new Error("plain"))).toBe(false);
    expect(isTraceletError(null)).toBe(false);
    expect(isTraceletError("TRACELET_ERR_LOAD_FAILED")).toBe(false);
  });
});
