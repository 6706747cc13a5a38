import { describe, expect, it } from "vitest";
import { validateConfig } from "../../../src/core/config/config-validator.js";
import { BackendPlugin, createLogger, isTraceletError, PluginManager, type TraceletError } from "../../../src/index.js";

function schemaWith(pattern: string): Record<string, unknown> {
  return { type: "object", properties: { s: { type: "string", pattern } } };
}

function refusal(pattern: string): TraceletError | undefined {
  try {
    validateConfig("x", schemaWith(pattern), {});
  } catch (error) {
    expect(isTraceletError(error), String(error)).toBe(true);
    return error as TraceletError;
  }
  return undefined;
}

describe("pattern safety: refused shapes", () => {
  it.each([
    ["(a|a)*", "alternatives"],
    ["(a|ab)*", "alternatives"],
    ["^(a|ab)+$", "alternatives"],
    ["(?:x|[a-z]y)*", "alternatives"],
    ["(\\d|[0-9a-f])+", "alternatives"],
    ["((a|b)c|a)*", "alternatives"],
    ["(a|)*", "empty"],
    ["(a+)+", "nests quantifiers"],
    ["^(\\w+\\s?)*$", "nests quantifiers"],
    ["(b?a+)*", "nests quantifiers"],
    ["(a+ba+)+", "nests quantifiers"],
    ["(\\s*,\\s*)*", "nests quantifiers"],
    ["((ab)+)*", "nests quantifiers"],
    ["(\\w*)*", "empty"],
    ["(.*a){20}", "nests quantifiers"],
    ["(?=(a+)+b)", "nests quantifiers"],
  ])("refuses %s (%s)", (pattern, why) => {
    const error = refusal(pattern);
    expect(error?.code).toBe("TRACELET_ERR_SCHEMA_INVALID");
    expect(error?.message).toContain("pattern");
    expect(error?.message).toContain(why);
  });

  it("a plugin whose schema holds (a|ab)* fails to load with TRACELET_ERR_SCHEMA_INVALID, the others load", async () => {
    class Evil extends BackendPlugin {
      static metadata = { name: "evil", type: "backend" as const, configSchema: schemaWith("^(a|ab)*$") };
      logMetric() {}
    }
    class Fine extends BackendPlugin {
      static metadata = { name: "fine", type: "backend" as const, configSchema: schemaWith("^[a-z]+(-[a-z]+)*$") };
      logMetric() {}
    }
    const manager = new PluginManager({ logger: createLogger({ level: "silent" }), builtins: false });
    manager.registerPlugin(Evil);
    manager.registerPlugin(Fine);
    const results = await manager.loadAll({ evil: { s: "ab" }, fine: { s: "kebab-case" } });
    expect(results.map((r) => [r.name, r.ok, r.error?.code])).toEqual([
      ["evil", false, "TRACELET_ERR_SCHEMA_INVALID"],
      ["fine", true, undefined],
    ]);
    await manager.stopAll();
  });
});

describe("pattern safety: accepted patterns", () => {
  it.each([
    "^[a-z]+(-[a-z]+)*$",
    "^(https?|ftp)://",
    "^(?:https?|ftp)://[^\\s/$.?#][^\\s]*$",
    "^(\\d{1,3}\\.){3}\\d{1,3}$",
    "^(25[0-5]|2[0-4]\\d|[01]?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|[01]?\\d?\\d)){3}$",
    "^([a-z0-9]+,)*[a-z0-9]+$",
    "^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,}$",
    "^(a+b+)*$",
    "^(?<word>[A-Z][a-z]*)( [A-Z][a-z]*)*$",
    "^[\\w.+-]+@[\\w-]+\\.[\\w.-]+$",
    "^v\\d+\\.\\d+\\.\\d+(-[0-9A-Za-z.-]+)?$",
    "^\\p{L}+$",
    "^(?:[^\\\\]|\\\\.)*$",
    "^([^,]+)(,[^,]+)*$",
  ])("accepts %s and validates with it", (pattern) => {
    expect(refusal(pattern)).toBeUndefined();
  });

  it("still validates values against an accepted pattern", () => {
    const schema = schemaWith("^[a-z]+(-[a-z]+)*$");
    expect(validateConfig("x", schema, { s: "kebab-case-name" })).toEqual({ s: "kebab-case-name" });
    expect(() => validateConfig("x", schema, { s: "Not-Kebab" })).toThrow(/pattern|must match/);
  });

  it("leaves an invalid regular expression to the schema compiler", () => {
    expect(refusal("(unclosed")?.code).toBe("TRACELET_ERR_SCHEMA_INVALID");
    expect(refusal("(unclosed")?.message).not.toContain("catastrophic");
  });
});
