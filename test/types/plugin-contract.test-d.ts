// The plugin contract is written once (src/core/plugin-api.ts); the base classes and the
// handlers of definePlugin are derived from it. These checks fail when either drifts from it.
import { describe, expectTypeOf, it } from "vitest";
import type { PLUGIN_METHODS, PluginMethod } from "../../src/core/plugin-api.js";
import type {
  BackendHandlers,
  BackendInstance,
  BackendPlugin,
  CollectorHandlers,
  CollectorInstance,
  CollectorPlugin,
  PluginInstance,
} from "../../src/index.js";

// Methods of `A` that `B` lacks (never when B has them all).
type Lacking<A, B> = Exclude<keyof A, keyof B>;

describe("the plugin contract", () => {
  it("BackendPlugin has every method of a backend", () => {
    expectTypeOf<Lacking<BackendInstance, BackendPlugin>>().toEqualTypeOf<never>();
    expectTypeOf<BackendPlugin>().toExtend<BackendInstance>();
  });

  it("CollectorPlugin has every method of a collector", () => {
    expectTypeOf<Lacking<CollectorInstance, CollectorPlugin>>().toEqualTypeOf<never>();
    expectTypeOf<CollectorPlugin>().toExtend<CollectorInstance>();
  });

  it("definePlugin's handlers have every method but initialize (setup replaces it)", () => {
    expectTypeOf<Exclude<Lacking<BackendInstance, BackendHandlers<object>>, "initialize">>().toEqualTypeOf<never>();
    expectTypeOf<Exclude<Lacking<CollectorInstance, CollectorHandlers<object>>, "initialize">>().toEqualTypeOf<never>();
    expectTypeOf<keyof BackendHandlers<object>>().toEqualTypeOf<Exclude<keyof BackendInstance, "initialize">>();
    expectTypeOf<keyof CollectorHandlers<object>>().toEqualTypeOf<Exclude<keyof CollectorInstance, "initialize">>();
  });

  it("with the contract's signatures", () => {
    expectTypeOf<BackendHandlers<object>["logMetric"]>().toEqualTypeOf<BackendInstance["logMetric"]>();
    expectTypeOf<BackendHandlers<object>["setTags"]>().toEqualTypeOf<BackendInstance["setTags"]>();
    expectTypeOf<BackendHandlers<object>["logMetricColumns"]>().toEqualTypeOf<BackendInstance["logMetricColumns"]>();
    expectTypeOf<BackendPlugin["logMetricColumns"]>().toEqualTypeOf<BackendInstance["logMetricColumns"]>();
    expectTypeOf<CollectorHandlers<object>["params"]>().toEqualTypeOf<CollectorInstance["params"]>();
    expectTypeOf<CollectorHandlers<object>["collect"]>().toEqualTypeOf<CollectorInstance["collect"]>();
    expectTypeOf<BackendHandlers<object>["stop"]>().toEqualTypeOf<PluginInstance["stop"]>();
  });

  it("definePlugin forwards every method of the contract (PLUGIN_METHODS is complete)", () => {
    expectTypeOf<Exclude<PluginMethod, (typeof PLUGIN_METHODS)[number]>>().toEqualTypeOf<never>();
  });
});
