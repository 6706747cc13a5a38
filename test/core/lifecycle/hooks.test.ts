import { describe, expect, it } from "vitest";
import { createHooks, type TapErrorEvent } from "../../../src/core/hooks.js";
import { BackendPlugin, type PluginContext } from "../../../src/index.js";
import { MemoryBackend, withTestExperiment } from "../../../src/testing/index.js";
import { tempDir } from "../../helpers/temp-dir.js";

/** Taps the run's hooks under its own name, badly. */
class Tapper extends BackendPlugin {
  static metadata = { name: "tapper", type: "backend" as const };
  static batches = 0;
  override initialize(config: Readonly<Record<string, unknown>>, context: PluginContext): void {
    super.initialize(config, context);
    context.hooks?.metrics.tap("tapper", () => {
      Tapper.batches++;
      throw new Error("tap exploded");
    });
    context.hooks?.flush.tapPromise("tapper", () => Promise.reject(new Error("flush tap rejected")));
  }
  logMetric() {}
}

describe("hooks", () => {
  it("is one frozen object of typed hooks", () => {
    const hooks = createHooks();
    expect(Object.isFrozen(hooks)).toBe(true);
    expect(Object.keys(hooks).sort()).toEqual(
      [
        "artifact",
        "collect",
        "error",
        "flush",
        "initialize",
        "metrics",
        "params",
        "start",
        "stateChange",
        "stop",
        "tags",
      ].sort(),
    );
  });

  it("isolates taps: a throwing sync tap or a rejecting promise tap is reported and skipped", async () => {
    const errors: TapErrorEvent[] = [];
    const hooks = createHooks({ onTapError: (e) => errors.push(e) });
    const seen: string[] = [];
    hooks.params.tap("bad", () => {
      throw new Error("bad tap");
    });
    hooks.params.tap("good", () => seen.push("good"));
    hooks.params.call({});
    hooks.flush.tapPromise("bad", () => Promise.reject(new Error("no")));
    hooks.flush.tapPromise("good", async () => {
      seen.push("good-flush");
    });
    await hooks.flush.promise();
    expect(seen).toEqual(["good", "good-flush"]);
    expect(errors.map((e) => `${e.tap}@${e.hook}`)).toEqual(["bad@params", "bad@flush"]);
  });

  it("plugins tap the run's hooks under their own name; a failing tap costs the run nothing", async () => {
    Tapper.batches = 0;
    const exp = await withTestExperiment({ cwd: await tempDir(), backends: ["memory", "tapper"] }, [Tapper]);
    exp.logMetric("x", 1, 0);
    await exp.flush();
    exp.logMetric("x", 2, 1);
    const report = await exp.stop();
    expect(Tapper.batches).toBeGreaterThan(0);
    expect((MemoryBackend.last as MemoryBackend).points.map((p) => p.value)).toEqual([1, 2]);
    expect(report.failures).toEqual([]);
  });
});
