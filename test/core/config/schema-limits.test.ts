import { describe, expect, it } from "vitest";
import { validateConfig } from "../../../src/core/config/config-validator.js";
import { createLogger } from "../../../src/core/logger.js";
import { BackendPlugin, isTraceletError, PluginManager, type TraceletError } from "../../../src/index.js";

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

function matches(pattern: string, s: string): boolean {
  try {
    validateConfig("x", schemaWith(pattern), { s });
    return true;
  } catch (error) {
    expect((error as TraceletError).code).toBe("TRACELET_ERR_CONFIG_INVALID");
    return false;
  }
}

describe("schema patterns: matched by a linear-time engine", () => {
  // Each would take a backtracking engine exponential time on its input; RE2 takes linear time.
  it.each([
    ["^(a|a)*$", `${"a".repeat(40)}!`],
    ["^(a|ab)*$", `${"ab".repeat(30)}a!`],
    ["^(a+)+$", `${"a".repeat(40)}!`],
    ["^(\\w+\\s?)*$", `${"word ".repeat(20)}!`],
    ["^(\\w*)*$", `${"a".repeat(40)}!`],
    ["^a*a*a*a*a*a*a*a*a*a*b$", "a".repeat(121)],
    ["^(.*a){20}$", `${"a".repeat(60)}!`],
  ])("accepts %s and refuses the adversarial value with CONFIG_INVALID", (pattern, evil) => {
    expect(refusal(pattern)).toBeUndefined();
    expect(matches(pattern, evil)).toBe(false);
  });

  it("a plugin whose schema holds (a|ab)* loads and validates", async () => {
    class Ambiguous extends BackendPlugin {
      static metadata = { name: "ambiguous", type: "backend" as const, configSchema: schemaWith("^(a|ab)*$") };
      logMetric() {}
    }
    const manager = new PluginManager({ logger: createLogger({ level: "silent" }), builtins: false });
    manager.registerPlugin(Ambiguous);
    const results = await manager.loadAll({ ambiguous: { s: "abaab" } });
    expect(results.map((r) => [r.name, r.ok, r.error?.code])).toEqual([["ambiguous", true, undefined]]);
    await manager.stopAll();
  });
});

describe("schema patterns: what the linear-time engine cannot run is refused", () => {
  it.each([
    ["(?=(a+)+b)", "lookaround"],
    ["^(?!x)a$", "lookaround"],
    ["(?<=a)b", "lookaround"],
    ["^(a)\\1$", "backreference"],
    ["^(?<w>a)\\k<w>$", "backreference"],
    ["^a{1001}$", "repeat count"],
  ])("refuses %s (%s) with TRACELET_ERR_SCHEMA_INVALID", (pattern) => {
    const error = refusal(pattern);
    expect(error?.code).toBe("TRACELET_ERR_SCHEMA_INVALID");
    expect(error?.message).toContain("linear time");
  });

  it("leaves an invalid regular expression to the schema compiler", () => {
    expect(refusal("(unclosed")?.code).toBe("TRACELET_ERR_SCHEMA_INVALID");
    expect(refusal("(unclosed")?.message).not.toContain("linear time");
  });
});

describe("schema patterns: ECMAScript meaning kept", () => {
  it.each([
    ["^[a-z]+(-[a-z]+)*$", "kebab-case", "Not-Kebab"],
    ["^(https?|ftp)://", "https://x", "file://x"],
    ["^(?:https?|ftp)://[^\\s/$.?#][^\\s]*$", "http://a.b/c", "http:// a"],
    ["^(\\d{1,3}\\.){3}\\d{1,3}$", "10.0.0.1", "10.0.0"],
    ["^(25[0-5]|2[0-4]\\d|[01]?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|[01]?\\d?\\d)){3}$", "255.1.2.3", "256.1.2.3"],
    ["^([a-z0-9]+,)*[a-z0-9]+$", "a,b,c", "a,,b"],
    ["^(?<word>[A-Z][a-z]*)( [A-Z][a-z]*)*$", "Hello World", "hello"],
    ["^[\\w.+-]+@[\\w-]+\\.[\\w.-]+$", "a.b+c@d.ef", "a@b"],
    ["^v\\d+\\.\\d+\\.\\d+(-[0-9A-Za-z.-]+)?$", "v1.2.3-rc.1", "1.2.3"],
    ["^\\p{L}+$", "héllo", "h3llo"],
    ["^.$", "😀", "ab"],
    ["^\\u0041\\u{1F600}$", "A😀", "A"],
    ["^(?:[^\\\\]|\\\\.)*$", "a\\\\b", "a\\"],
    ["a/b", "xa/by", "ab"],
    ["^[^]$", "\n", ""],
  ])("%s matches %j, not %j", (pattern, yes, no) => {
    expect(matches(pattern, yes)).toBe(true);
    expect(matches(pattern, no)).toBe(false);
  });

  it("applies to patternProperties and propertyNames too", () => {
    const schema = {
      type: "object",
      patternProperties: { "^(a|ab)*$": { type: "number" } },
      propertyNames: { pattern: "^(a|ab|b)*$" },
    };
    expect(validateConfig("x", schema, { ab: 1, b: 2 })).toEqual({ ab: 1, b: 2 });
    expect(() => validateConfig("x", schema, { ab: "no" })).toThrow(/must be number/);
    expect(() => validateConfig("x", schema, { [`${"ab".repeat(30)}c`]: 1 })).toThrow(/property name/);
  });
});
