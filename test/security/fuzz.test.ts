import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateConfig } from "../../src/core/config/config-validator.js";
import { ALL_ERROR_CODES } from "../../src/core/error-codes.js";
import { type Experiment, isTraceletError } from "../../src/index.js";
import { validateManifest } from "../../src/plugins/registry/manifest/validate-manifest.js";
import { MemoryBackend, withTestExperiment } from "../../src/testing/index.js";
import { tempDir } from "../helpers/temp-dir.js";

// A fuzz pass over the three inputs a user or a plugin author controls: manifests, configs
// (with their schemas) and metric calls. Together at least 10,000 cases; none may crash, and
// every refusal must be a TraceletError carrying one of the codes of src/core/error-codes.ts.
// Seeded, so that a failure replays; `FUZZ_SEED` picks another seed.
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_122);
const CODES: ReadonlySet<string> = new Set(ALL_ERROR_CODES);
const RUNS = { manifests: 3500, configs: 3500, metrics: 3500 };

/** Runs `call`; a throw must be a coded TraceletError (with one of `allowed` when given). */
function coded(call: () => unknown, allowed?: readonly string[]): unknown {
  try {
    return call();
  } catch (error) {
    if (!isTraceletError(error)) throw new Error(`uncoded ${String(error)}`, { cause: error });
    expect(CODES.has(error.code), error.code).toBe(true);
    if (allowed) expect(allowed, error.message).toContain(error.code);
    return undefined;
  }
}

// Text that reaches parsers: ordinary, unicode, control characters, path tricks.
const nasty = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: "grapheme", maxLength: 10 }),
  fc.string({ unit: "binary", maxLength: 10 }),
  fc.constantFrom(
    "",
    "..",
    "../..",
    "/etc/passwd",
    "\u0000",
    "__proto__",
    "constructor",
    "a".repeat(300),
    "%2e%2e",
    "~",
  ),
);

describe("fuzz: manifests (validateManifest)", () => {
  const segment = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,12}$/);
  const plugin = fc.record(
    {
      name: fc.oneof(segment, nasty),
      type: fc.oneof(fc.constantFrom("backend", "collector"), nasty),
      entry: fc.oneof(fc.constantFrom("./index.js", "../x.js", "/abs.js"), nasty),
      export: fc.oneof(fc.string({ maxLength: 10 }), fc.integer()),
      version: fc.oneof(fc.constantFrom("1.0.0", "2.3.4-beta.1"), nasty),
      description: fc.string({ maxLength: 20 }),
      configSchema: fc.oneof(fc.jsonValue({ maxDepth: 3 }), nasty),
      dependencies: fc.dictionary(fc.oneof(segment, nasty), fc.oneof(fc.constantFrom("^1.0.0", "*"), nasty), {
        maxKeys: 3,
      }),
      requires: fc.dictionary(fc.oneof(segment, nasty), fc.oneof(fc.constantFrom(">=1", "1.x"), nasty), { maxKeys: 3 }),
      extra: fc.anything({ maxDepth: 2 }),
    },
    { requiredKeys: [] },
  );
  const manifest = fc.oneof(
    fc.record(
      {
        engine: fc.oneof(fc.constantFrom("^1.0.0", ">=0.1", "*"), nasty, fc.integer()),
        plugins: fc.oneof(fc.array(plugin, { maxLength: 4 }), fc.anything({ maxDepth: 2 })),
      },
      { requiredKeys: [] },
    ),
    fc.anything({ maxDepth: 3 }),
    fc.jsonValue({ maxDepth: 4 }),
  );

  it(`${RUNS.manifests} manifests: never a crash, every issue coded`, () => {
    fc.assert(
      fc.property(manifest, (field) => {
        const result = coded(() => validateManifest(field)) as ReturnType<typeof validateManifest> | undefined;
        for (const issue of result?.issues ?? []) expect(CODES.has(issue.code), issue.code).toBe(true);
        if (!result?.manifest) expect(result?.issues.length ?? 1).toBeGreaterThan(0);
      }),
      { numRuns: RUNS.manifests, seed: SEED },
    );
  });
});

describe("fuzz: configs (validateConfig with random schemas and values)", () => {
  const patterns = fc.constantFrom(
    "^[a-z]+$",
    "^a*a*a*a*a*a*a*a*a*a*b$",
    "^(a|ab)*$",
    "(a+)+$",
    "(?=a)b",
    "(a)\\1",
    "[",
    "\\p{L}",
    "a{2000}",
    ".*",
  );
  // Leaves first: at the depth limit, fc.oneof takes its first arbitrary.
  const leaf = fc.oneof(
    fc.record(
      {
        type: fc.constantFrom("string", "number", "integer", "boolean", "null", "nope"),
        pattern: fc.oneof(patterns, fc.string({ maxLength: 12 })),
        minLength: fc.integer({ min: -1, max: 5 }),
        maximum: fc.double(),
        enum: fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
        default: fc.jsonValue({ maxDepth: 2 }),
        format: fc.constantFrom("password", "uri", "email", "date-time", "hostname", "ipv4", "unknown-format"),
        writeOnly: fc.boolean(),
      },
      { requiredKeys: [] },
    ),
    fc.jsonValue({ maxDepth: 1 }),
  );
  const { schema } = fc.letrec<{ schema: unknown }>((tie) => ({
    schema: fc.oneof(
      { maxDepth: 3, depthIdentifier: "schema" },
      leaf,
      fc.record(
        {
          type: fc.constantFrom("object", "array", "string", "nope"),
          properties: fc.dictionary(fc.string({ maxLength: 6 }), tie("schema"), { maxKeys: 3 }),
          items: tie("schema"),
          required: fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 }),
          additionalProperties: fc.oneof(fc.boolean(), tie("schema")),
          patternProperties: fc.dictionary(patterns, tie("schema"), { maxKeys: 2 }),
          default: fc.jsonValue({ maxDepth: 2 }),
          anyOf: fc.array(tie("schema"), { maxLength: 2 }),
          $ref: fc.constantFrom("#", "#/properties/a", "#/nope", "http://x/y"),
          $schema: fc.constantFrom(
            "http://json-schema.org/draft-07/schema#",
            "https://json-schema.org/draft/2020-12/schema",
            "x",
          ),
        },
        { requiredKeys: [] },
      ),
    ),
  }));
  const value = fc.oneof(
    {
      arbitrary: fc.dictionary(fc.constantFrom("a", "x", "s", "token", "p0"), fc.jsonValue({ maxDepth: 2 })),
      weight: 3,
    },
    { arbitrary: fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 })), weight: 2 },
    { arbitrary: fc.anything({ maxDepth: 3 }), weight: 1 },
  );

  it(`${RUNS.configs} schema/config pairs: never a crash, a refusal is CONFIG_INVALID or SCHEMA_INVALID`, () => {
    fc.assert(
      fc.property(schema, value, (s, config) => {
        const asSchema = typeof s === "object" && s !== null && !Array.isArray(s) ? (s as Record<string, unknown>) : {};
        const result = coded(
          () => validateConfig("fuzzed", asSchema, config),
          ["TRACELET_ERR_CONFIG_INVALID", "TRACELET_ERR_SCHEMA_INVALID"],
        );
        if (result !== undefined) expect(Object.isFrozen(result)).toBe(true);
      }),
      {
        numRuns: RUNS.configs,
        seed: SEED,
        // Found by this pass: a default under a $ref to its own schema recursed until the stack
        // overflowed (an uncoded RangeError).
        examples: [
          [{ type: "object", properties: { x: { default: {}, allOf: [{ $ref: "#" }] } } }, {}],
          [
            {
              $schema: "https://json-schema.org/draft/2020-12/schema",
              type: "object",
              properties: { x: { default: {}, $ref: "#" } },
            },
            {},
          ],
        ],
      },
    );
  });
});

describe("fuzz: metric calls on a running experiment (MemoryBackend)", () => {
  let exp: Experiment;
  let accepted = 0;
  beforeAll(async () => {
    exp = await withTestExperiment({ cwd: await tempDir(), batchSize: 512 });
  });
  afterAll(async () => {
    await exp?.stop();
  });

  const name = fc.oneof(
    { arbitrary: fc.constantFrom("loss", "acc", "train/loss", "a.b-c_d"), weight: 2 },
    { arbitrary: fc.string({ minLength: 1, maxLength: 40 }), weight: 2 },
    { arbitrary: nasty, weight: 1 },
  );
  const number = fc.oneof(
    fc.double(),
    fc.integer(),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, Number.MAX_VALUE, 2 ** 53 + 1),
    fc.bigInt(),
  );
  const anyValue = fc.oneof({ arbitrary: number, weight: 4 }, { arbitrary: fc.anything({ maxDepth: 1 }), weight: 1 });
  const step = fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 2 },
    { arbitrary: fc.nat(), weight: 2 },
    { arbitrary: fc.oneof(fc.integer(), fc.double(), fc.anything({ maxDepth: 1 })), weight: 1 },
  );
  const call = fc.oneof(
    fc.record({
      kind: fc.constant("one" as const),
      name,
      value: anyValue,
      step,
      timestamp: fc.option(anyValue, { freq: 4 }),
    }),
    fc.record({
      kind: fc.constant("many" as const),
      metrics: fc.oneof(fc.dictionary(name, anyValue, { maxKeys: 4 }), fc.anything({ maxDepth: 2 })),
      step,
    }),
    fc.record({ kind: fc.constant("params" as const), params: fc.anything({ maxDepth: 3 }) }),
  );

  it(`${RUNS.metrics} logMetric / logMetrics / logParams calls: never a crash, every refusal coded, the run stops clean`, async () => {
    fc.assert(
      fc.property(call, (c) => {
        const api = exp as unknown as {
          logMetric(n: unknown, v: unknown, s?: unknown, o?: unknown): void;
          logMetrics(m: unknown, s?: unknown): void;
          logParams(p: unknown): void;
        };
        const done = coded(() => {
          if (c.kind === "one") {
            const options = c.timestamp === null ? undefined : { timestamp: c.timestamp };
            api.logMetric(c.name, c.value, c.step, options);
          } else if (c.kind === "many") api.logMetrics(c.metrics, c.step);
          else api.logParams(c.params);
          return true;
        });
        if (done && c.kind === "one") accepted++;
      }),
      { numRuns: RUNS.metrics, seed: SEED },
    );
    await exp.flush();
    const report = await exp.stop();
    expect(report.failures).toEqual([]);
    expect(accepted).toBeGreaterThan(0);
    // Every accepted single point was delivered (logMetrics adds more, so at least as many).
    expect(MemoryBackend.last?.points.length ?? 0).toBeGreaterThanOrEqual(accepted);
  });

  it(`in total at least 10,000 cases`, () => {
    expect(RUNS.manifests + RUNS.configs + RUNS.metrics).toBeGreaterThanOrEqual(10_000);
  });
});
