import { describe, expectTypeOf, it } from "vitest";
import { definePlugin, type FromSchema, type PluginConfig } from "../../src/index.js";

const Slack = definePlugin({
  name: "slack",
  type: "backend",
  configSchema: {
    type: "object",
    properties: {
      url: { type: "string" },
      token: { type: "string", writeOnly: true },
      retries: { type: "integer", default: 3 },
      mode: { enum: ["fast", "safe"] },
      tags: { type: "array", items: { type: "string" } },
      tls: { type: "object", properties: { verify: { type: "boolean" } }, required: ["verify"] },
      version: { const: 2 },
    },
    required: ["url"],
    additionalProperties: false,
  },
  setup(config) {
    expectTypeOf(config.url).toEqualTypeOf<string>();
    expectTypeOf(config.retries).toEqualTypeOf<number>();
    expectTypeOf(config.token).toEqualTypeOf<string | undefined>();
    expectTypeOf(config.mode).toEqualTypeOf<"fast" | "safe" | undefined>();
    expectTypeOf(config.tags).toEqualTypeOf<string[] | undefined>();
    expectTypeOf(config.version).toEqualTypeOf<2 | undefined>();
    // @ts-expect-error url is a string, not a number
    const n: number = config.url;
    void n;
    // @ts-expect-error the config is frozen
    config.url = "x";
    return { logMetric: () => {} };
  },
});

describe("definePlugin", () => {
  it("infers the config type from the JSON Schema", () => {
    type C = PluginConfig<typeof Slack>;
    expectTypeOf<C["url"]>().toEqualTypeOf<string>();
    expectTypeOf<NonNullable<C["tls"]>>().toEqualTypeOf<{ verify: boolean }>();
    expectTypeOf(Slack.metadata.type).toEqualTypeOf<"backend">();
  });

  it("refuses a config of the wrong type", () => {
    // @ts-expect-error url must be a string
    const bad: PluginConfig<typeof Slack> = { url: 42, retries: 1 };
    void bad;
    // @ts-expect-error retries (defaulted) is always present after validation
    const missing: PluginConfig<typeof Slack> = { url: "x" };
    void missing;
  });

  it("requires the handlers of the plugin type", () => {
    definePlugin({
      name: "c",
      type: "collector",
      configSchema: { type: "object", properties: { n: { type: "number" } } },
      // @ts-expect-error a collector's setup must return collect()
      setup: () => ({ logMetric: () => {} }),
    });
    definePlugin({
      name: "c2",
      type: "collector",
      configSchema: { type: "object", properties: { n: { type: "number", default: 1 } } },
      setup: (config) => ({ collect: () => ({ n: config.n }) }),
    });
  });

  it("takes a schema kept in a variable `as const`", () => {
    const schema = {
      type: "object",
      properties: { n: { type: "number" }, s: { type: "string", default: "x" } },
      required: ["n"],
    } as const;
    definePlugin({
      name: "v",
      type: "collector",
      configSchema: schema,
      setup(config) {
        expectTypeOf(config).toEqualTypeOf<Readonly<{ n: number; s: string }>>();
        return { collect: () => ({ n: config.n }) };
      },
    });
  });

  it("FromSchema covers the common subset", () => {
    expectTypeOf<FromSchema<{ type: "string" }>>().toEqualTypeOf<string>();
    expectTypeOf<FromSchema<{ type: readonly ["string", "null"] }>>().toEqualTypeOf<string | null>();
    expectTypeOf<FromSchema<{ type: "array"; items: { type: "integer" } }>>().toEqualTypeOf<number[]>();
    expectTypeOf<FromSchema<{ enum: readonly [1, 2] }>>().toEqualTypeOf<1 | 2>();
  });
});
