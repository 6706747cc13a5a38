import { describe, expectTypeOf, it } from "vitest";
import {
  BackendPlugin,
  CollectorPlugin,
  type ErrorCode,
  type Experiment,
  type ExperimentStatus,
  isTraceletError,
  type MetricRecord,
  type PluginStatus,
  type StopReport,
  startExperiment,
  type TraceletError,
} from "../../src/index.js";

describe("public types", () => {
  it("startExperiment resolves to an Experiment whose stop() resolves to a StopReport", () => {
    expectTypeOf(startExperiment).returns.resolves.toEqualTypeOf<Experiment>();
    expectTypeOf<Experiment["stop"]>().returns.resolves.toEqualTypeOf<StopReport>();
    expectTypeOf<StopReport["failures"][number]>().toHaveProperty("code").toEqualTypeOf<string>();
    expectTypeOf<Experiment>().toMatchTypeOf<AsyncDisposable>();
  });

  it("logMetric is synchronous and takes a number or bigint", () => {
    expectTypeOf<Experiment["logMetric"]>().returns.toEqualTypeOf<void>();
    expectTypeOf<Experiment["logMetric"]>().parameter(1).toEqualTypeOf<number | bigint>();
    // @ts-expect-error a string value does not compile
    ((exp: Experiment) => exp.logMetric("loss", "0.5"))(undefined as never);
    // @ts-expect-error an unknown option does not compile
    void startExperiment({ backendz: ["jsonl"] });
  });

  it("MetricRecord and status shapes match the contract", () => {
    expectTypeOf<MetricRecord>().toEqualTypeOf<{ name: string; value: number; step: number; timestamp: number }>();
    expectTypeOf<ExperimentStatus["plugins"]>().toEqualTypeOf<PluginStatus[]>();
    expectTypeOf<PluginStatus["lastError"]>().toEqualTypeOf<
      | {
          code: string;
          hook: import("../../src/index.js").HookName;
          message: string;
          cause?: import("../../src/index.js").FailureCause;
        }
      | undefined
    >();
  });

  it("isTraceletError narrows to a TraceletError with a coded union", () => {
    const e: unknown = undefined;
    if (isTraceletError(e)) expectTypeOf(e.code).toEqualTypeOf<ErrorCode>();
    expectTypeOf<TraceletError["code"]>().toEqualTypeOf<ErrorCode>();
  });

  it("plugin base classes type their config and require the core method", () => {
    class B extends BackendPlugin<{ url: string }> {
      logMetric(_name: string, _value: number, _step?: number): void {}
    }
    expectTypeOf<B["config"]>().toEqualTypeOf<Readonly<{ url: string }>>();
    class C extends CollectorPlugin {
      collect(): Record<string, number> {
        return {};
      }
    }
    expectTypeOf<ReturnType<C["collect"]>>().toEqualTypeOf<Record<string, number>>();
    // @ts-expect-error a backend without logMetric is abstract and cannot be instantiated
    new (class extends BackendPlugin {})();
  });
});
