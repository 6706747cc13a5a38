import { describe, expect, it } from "vitest";
import { collectorSchema } from "../../../src/core/config/collector-schema.js";
import { compileSchema, validateConfig } from "../../../src/core/config/config-validator.js";
import { redactConfig, scrubText, secretValues } from "../../../src/core/config/redact.js";
import { SCHEMA_LIMITS } from "../../../src/core/config/schema-limits.js";
import { isTraceletError, type TraceletError } from "../../../src/index.js";

function thrown(fn: () => unknown): TraceletError {
  try {
    fn();
  } catch (error) {
    expect(isTraceletError(error), String(error)).toBe(true);
    return error as TraceletError;
  }
  throw new Error("nothing was thrown");
}

const schema = {
  type: "object",
  properties: {
    url: { type: "string", format: "uri" },
    retries: { type: "integer", minimum: 0, default: 3 },
    token: { type: "string", writeOnly: true, minLength: 30 },
    auth: { type: "object", properties: { password: { type: "string", format: "password" } } },
    mode: { enum: ["fast", "safe"], default: "safe" },
  },
  required: ["url"],
};

describe("validateConfig", () => {
  it("applies defaults and deep-freezes the result without touching the input", () => {
    const input = { url: "https://x.test", auth: { password: "hunter2hunter2" } };
    const config = validateConfig("x", schema, input);
    expect(config).toEqual({ url: "https://x.test", retries: 3, mode: "safe", auth: { password: "hunter2hunter2" } });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.auth)).toBe(true);
    expect(input).not.toHaveProperty("retries");
  });

  it("reports every error at once, naming the plugin and each failing path", () => {
    const error = thrown(() => validateConfig("my-plugin", schema, { retries: -1, mode: "slow", url: 5 }));
    expect(error.code).toBe("TRACELET_ERR_CONFIG_INVALID");
    expect(error.message).toContain('"my-plugin"');
    const paths = (error.details.issues as Array<{ path: string }>).map((i) => i.path).sort();
    expect(paths).toEqual(["/mode", "/retries", "/url"]);
    for (const p of paths) expect(error.message).toContain(p);
    expect(error.message).toContain("3 problems");
  });

  it("names a missing required property by its path", () => {
    const error = thrown(() => validateConfig("x", schema, {}));
    expect(error.details.issues).toEqual([{ path: "/url", message: "is required" }]);
  });

  it("flags unknown keys, also when the schema does not say additionalProperties", () => {
    const error = thrown(() => validateConfig("x", schema, { url: "https://x.test", urll: 1, auth: { pasword: "a" } }));
    const paths = (error.details.issues as Array<{ path: string }>).map((i) => i.path).sort();
    expect(paths).toEqual(["/auth/pasword", "/urll"]);
    expect(error.message).toContain("is not a known option");
  });

  it("leaves open schemas open", () => {
    const open = { type: "object", properties: { a: { type: "number" } }, additionalProperties: true };
    expect(validateConfig("x", open, { a: 1, b: 2 })).toEqual({ a: 1, b: 2 });
    expect(validateConfig("x", undefined, { anything: true })).toEqual({ anything: true });
  });

  it("never puts a secret value in the error, its details or its JSON", () => {
    const secret = "s3cr3t-value-that-is-too-short";
    const error = thrown(() =>
      validateConfig("x", schema, { url: "https://x.test", token: secret.slice(0, 20), auth: { password: 42 } }),
    );
    const text = `${error.message} ${error.stack} ${JSON.stringify(error)} ${JSON.stringify(error.details)}`;
    expect(text).not.toContain(secret.slice(0, 20));
    expect(text).toContain("/token");
  });

  it("refuses a config that is not plain data", () => {
    expect(thrown(() => validateConfig("x", schema, [])).code).toBe("TRACELET_ERR_CONFIG_INVALID");
    expect(thrown(() => validateConfig("x", undefined, { f: () => 1 })).code).toBe("TRACELET_ERR_CONFIG_INVALID");
  });
});

describe("drafts and the shared ajv", () => {
  it("validates draft-07 (default) and 2020-12 schemas by their $schema", () => {
    const d7 = {
      $schema: "http://json-schema.org/draft-07/schema#",
      type: "object",
      properties: { pair: { type: "array", items: [{ type: "string" }, { type: "number" }] } },
    };
    expect(validateConfig("x", d7, { pair: ["a", 1] })).toEqual({ pair: ["a", 1] });
    expect(thrown(() => validateConfig("x", d7, { pair: [1, "a"] })).code).toBe("TRACELET_ERR_CONFIG_INVALID");
    const d2020 = {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      properties: { pair: { type: "array", prefixItems: [{ type: "string" }, { type: "number" }], items: false } },
    };
    expect(validateConfig("x", d2020, { pair: ["a", 1] })).toEqual({ pair: ["a", 1] });
    const error = thrown(() => validateConfig("x", d2020, { pair: ["a", 1, 2] }));
    expect(error.code).toBe("TRACELET_ERR_CONFIG_INVALID");
  });

  it("refuses an unsupported draft and an invalid schema with TRACELET_ERR_SCHEMA_INVALID", () => {
    const draft4 = { $schema: "http://json-schema.org/draft-04/schema#", type: "object" };
    expect(thrown(() => validateConfig("x", draft4, {})).code).toBe("TRACELET_ERR_SCHEMA_INVALID");
    expect(thrown(() => validateConfig("x", { type: "no-such-type" }, {})).code).toBe("TRACELET_ERR_SCHEMA_INVALID");
    expect(thrown(() => validateConfig("x", { $ref: "https://evil.test/s.json" }, {})).code).toBe(
      "TRACELET_ERR_SCHEMA_INVALID",
    );
  });

  it("compiles each schema once: same object or same content share one validator", () => {
    const a = { type: "object", properties: { n: { type: "number" } } };
    const b = JSON.parse(JSON.stringify(a));
    expect(compileSchema("x", a)).toBe(compileSchema("x", a));
    expect(compileSchema("x", b)).toBe(compileSchema("x", a));
  });

  it("lets two plugins reuse one $id", () => {
    const a = { $id: "urn:same", type: "object", properties: { a: { type: "number" } } };
    const b = { $id: "urn:same", type: "object", properties: { b: { type: "string" } } };
    expect(validateConfig("a", a, { a: 1 })).toEqual({ a: 1 });
    expect(validateConfig("b", b, { b: "x" })).toEqual({ b: "x" });
  });
});

describe("schema limits", () => {
  it("refuses a schema nested too deep", () => {
    let deep: Record<string, unknown> = { type: "string" };
    for (let i = 0; i < SCHEMA_LIMITS.maxDepth + 5; i++) deep = { type: "object", properties: { a: deep } };
    expect(thrown(() => validateConfig("x", deep, {})).code).toBe("TRACELET_ERR_SCHEMA_INVALID");
  });

  it("refuses a schema too large", () => {
    const properties: Record<string, unknown> = {};
    for (let i = 0; i < 5000; i++) properties[`p${i}`] = { type: "string", description: "x".repeat(20) };
    expect(thrown(() => validateConfig("x", { type: "object", properties }, {})).code).toBe(
      "TRACELET_ERR_SCHEMA_INVALID",
    );
  });

  it("matches a catastrophic-backtracking pattern in linear time instead of hanging on it", () => {
    const evil = { type: "object", properties: { s: { type: "string", pattern: "^(a+)+$" } } };
    const error = thrown(() => validateConfig("x", evil, { s: `${"a".repeat(40)}!` }));
    expect(error.code).toBe("TRACELET_ERR_CONFIG_INVALID");
    expect(error.message).toContain("pattern");
  });

  it("refuses a cyclic schema object", () => {
    const cyclic: Record<string, unknown> = { type: "object" };
    cyclic.properties = { self: cyclic };
    expect(thrown(() => validateConfig("x", cyclic, {})).code).toBe("TRACELET_ERR_SCHEMA_INVALID");
  });
});

describe("collector schemas and redaction", () => {
  it("every collector accepts a positive integer intervalMs and samplesBeforeLogging", () => {
    const own = { type: "object", properties: { n: { type: "number" } }, additionalProperties: false };
    expect(validateConfig("c", collectorSchema(own), { n: 1, intervalMs: 500 })).toEqual({ n: 1, intervalMs: 500 });
    expect(thrown(() => validateConfig("c", collectorSchema(own), { intervalMs: 0 })).code).toBe(
      "TRACELET_ERR_CONFIG_INVALID",
    );
    expect(validateConfig("c", collectorSchema(own), { samplesBeforeLogging: 3 })).toEqual({ samplesBeforeLogging: 3 });
    expect(thrown(() => validateConfig("c", collectorSchema(own), { samplesBeforeLogging: 0 })).code).toBe(
      "TRACELET_ERR_CONFIG_INVALID",
    );
    const closed = { type: "object", additionalProperties: false };
    expect(validateConfig("c", collectorSchema(closed), { intervalMs: 500 })).toEqual({ intervalMs: 500 });
    expect(thrown(() => validateConfig("c", collectorSchema(closed), { other: 1 })).code).toBe(
      "TRACELET_ERR_CONFIG_INVALID",
    );
    expect(validateConfig("c", collectorSchema(undefined), { intervalMs: 500, other: 1 })).toEqual({
      intervalMs: 500,
      other: 1,
    });
  });

  it("redacts secret properties by path and scrubs their values from text", () => {
    const config = { url: "https://x.test", token: "tok-123456", auth: { password: "pw-abcdef" } };
    expect(redactConfig(schema, config)).toEqual({
      url: "https://x.test",
      token: "[redacted]",
      auth: { password: "[redacted]" },
    });
    const secrets = secretValues(schema, config);
    expect(scrubText("failed with tok-123456 and pw-abcdef", secrets)).toBe("failed with [redacted] and [redacted]");
  });
});
