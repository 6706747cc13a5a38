import { describe, expect, it } from "vitest";
import {
  BackendPlugin,
  CollectorPlugin,
  isTraceletError,
  type PluginContext,
  PluginManager,
  type StateChangeEvent,
} from "../../../src/index.js";
import { withTestExperiment } from "../../../src/testing/index.js";
import { tempDir } from "../../helpers/temp-dir.js";

const events: string[] = [];

function backend(name: string, dependencies?: Record<string, string>, failIn?: string) {
  return class extends BackendPlugin {
    static metadata = { name, type: "backend" as const, dependencies };
    override initialize(config: Readonly<Record<string, unknown>>, context: PluginContext) {
      super.initialize(config, context);
      events.push(`init:${name}`);
      if (failIn === "initialize") throw new Error(`${name} cannot initialize`);
    }
    override start() {
      events.push(`start:${name}`);
    }
    logMetric() {}
    override stop() {
      events.push(`stop:${name}`);
    }
  };
}

async function rejection(
  promise: Promise<unknown>,
): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    expect(isTraceletError(error), String(error)).toBe(true);
    return error as never;
  }
  throw new Error("expected a rejection");
}

describe("order", () => {
  it("starts dependencies first and stops in reverse start order", async () => {
    events.length = 0;
    const cwd = await tempDir();
    // Named in the wrong order on purpose: c needs b, b needs a.
    const exp = await withTestExperiment({ cwd, backends: ["c", "b", "a"] }, [
      backend("c", { b: "*" }),
      backend("b", { a: "*" }),
      backend("a"),
    ]);
    await exp.stop();
    const of = (kind: string) => events.filter((e) => e.startsWith(kind)).map((e) => e.split(":")[1]);
    expect(of("init")).toEqual(["a", "b", "c"]);
    expect(of("start")).toEqual(["a", "b", "c"]);
    expect(of("stop").filter((n) => n !== "memory")).toEqual(["c", "b", "a"]);
  });

  it("brings in a dependency the run did not name", async () => {
    events.length = 0;
    const exp = await withTestExperiment({ cwd: await tempDir(), backends: ["needs-base"] }, [
      backend("needs-base", { base: "*" }),
      backend("base"),
    ]);
    await exp.stop();
    expect(events.filter((e) => e.startsWith("start"))).toEqual(["start:base", "start:needs-base"]);
  });

  it("does not start the dependents of a failed dependency, naming both", async () => {
    events.length = 0;
    const exp = await withTestExperiment({ cwd: await tempDir(), backends: ["memory", "child", "parent"] }, [
      backend("child", { parent: "*" }),
      backend("parent", undefined, "initialize"),
    ]);
    exp.logMetric("x", 1, 0);
    const report = await exp.stop();
    expect(events).not.toContain("init:child");
    expect(events).not.toContain("start:child");
    const failure = report.failures.find((f) => f.plugin === "child");
    expect(failure?.code).toBe("TRACELET_ERR_DEPENDENCY_FAILED");
    expect(failure?.message).toContain('"child"');
    expect(failure?.message).toContain('"parent"');
    expect(exp.status().plugins.find((p) => p.name === "memory")?.stats.points).toBe(1);
  });

  it("refuses a dependency cycle, naming the whole cycle", async () => {
    const error = await rejection(
      withTestExperiment({ cwd: await tempDir(), backends: ["x", "y"] }, [
        backend("x", { y: "*" }),
        backend("y", { x: "*" }),
      ]),
    );
    expect(error.code).toBe("TRACELET_ERR_DEPENDENCY_CYCLE");
    expect(error.message).toMatch(/x → y → x|y → x → y/);
  });

  it("refuses a dependency that is not available", async () => {
    const error = await rejection(
      withTestExperiment({ cwd: await tempDir(), backends: ["lonely"] }, [backend("lonely", { ghost: "*" })]),
    );
    expect(error.code).toBe("TRACELET_ERR_DEPENDENCY_MISSING");
    expect(error.message).toContain('"lonely"');
    expect(error.message).toContain('"ghost"');
  });
});

class Hanging extends BackendPlugin {
  static metadata = { name: "hanging", type: "backend" as const };
  static signal: AbortSignal | undefined;
  override initialize(config: Readonly<Record<string, unknown>>, context: PluginContext): Promise<void> {
    super.initialize(config, context);
    Hanging.signal = context.signal;
    return new Promise(() => {});
  }
  logMetric() {}
}

class SlowStop extends BackendPlugin {
  static metadata = { name: "slow-stop", type: "backend" as const };
  logMetric() {}
  override stop(): Promise<void> {
    return new Promise(() => {});
  }
}

describe("deadlines", () => {
  it("applies a per-plugin deadline and aborts the call's signal when it passes", async () => {
    const exp = await withTestExperiment(
      {
        cwd: await tempDir(),
        backends: ["memory", "hanging"],
        timeouts: { initialize: 60_000, perPlugin: { hanging: { initialize: 50 } } },
      },
      [Hanging],
    );
    const report = await exp.stop();
    const failure = report.failures.find((f) => f.plugin === "hanging");
    expect(failure).toMatchObject({ hook: "initialize", code: "TRACELET_ERR_HOOK_TIMEOUT" });
    expect(failure?.message).toContain("50 ms");
    expect(Hanging.signal?.aborted).toBe(true);
    expect((Hanging.signal?.reason as { code?: string } | undefined)?.code).toBe("TRACELET_ERR_HOOK_TIMEOUT");
    expect(exp.status().plugins.find((p) => p.name === "memory")?.state).toBe("stopped");
  });

  it("bounds the whole shutdown: plugins reached after its deadline fail with TRACELET_ERR_SHUTDOWN_TIMEOUT", async () => {
    const Second = class extends SlowStop {
      static override metadata = { name: "slow-stop-2", type: "backend" as const };
    };
    const exp = await withTestExperiment(
      {
        cwd: await tempDir(),
        backends: ["memory", "slow-stop", "slow-stop-2"],
        timeouts: { stop: 60_000, shutdown: 100 },
      },
      [SlowStop, Second],
    );
    const report = await exp.stop();
    const codes = Object.fromEntries(report.failures.map((f) => [f.plugin, f.code]));
    // Stopped in reverse order: the first one eats the shutdown budget (its 60 s stop deadline is
    // cut to what is left of the 100 ms), the next is not called at all. stop() resolving at all,
    // long before any 60 s deadline, is the point.
    expect(["TRACELET_ERR_HOOK_TIMEOUT", "TRACELET_ERR_SHUTDOWN_TIMEOUT"]).toContain(codes["slow-stop-2"]);
    expect(codes["slow-stop"]).toBe("TRACELET_ERR_SHUTDOWN_TIMEOUT");
    expect(exp.status().plugins.every((p) => p.state === "stopped")).toBe(true);
  });

  it("refuses a deadline that is not a positive number", async () => {
    const error = await rejection(
      withTestExperiment({ cwd: await tempDir(), timeouts: { perPlugin: { x: { start: -1 } } } }),
    );
    expect(error.code).toBe("TRACELET_ERR_OPTION_INVALID");
    expect(() => new PluginManager({ timeouts: { stop: 0 } })).toThrow(/timeouts.stop/);
  });
});

class Flaky extends CollectorPlugin {
  static metadata = { name: "flaky", type: "collector" as const };
  collect(): Record<string, number> {
    throw new Error("sensor unplugged");
  }
}

describe("quarantine", () => {
  it("sets a plugin aside after N failures in a row, with TRACELET_ERR_PLUGIN_QUARANTINED", async () => {
    const manager = new PluginManager({ quarantineAfter: 3 });
    const exp = await withTestExperiment(
      { cwd: await tempDir(), manager, collectors: ["flaky"], plugins: { flaky: { intervalMs: 10 } } },
      [Flaky],
    );
    const changes: StateChangeEvent[] = [];
    exp.hooks.stateChange.tap("test", (e) => changes.push(e));
    const flaky = () => exp.status().plugins.find((p) => p.name === "flaky");
    await expect.poll(() => flaky()?.state, { timeout: 5000 }).toBe("quarantined");
    expect(flaky()?.stats.failures.collect).toBe(3);
    expect(flaky()?.lastError?.code).toBe("TRACELET_ERR_PLUGIN_QUARANTINED");
    expect(changes).toContainEqual(expect.objectContaining({ plugin: "flaky", from: "started", to: "quarantined" }));
    const report = await exp.stop();
    // No more collect calls once quarantined (the final sample at stop is refused too).
    expect(flaky()?.stats.calls.collect).toBe(3);
    expect(report.failures.map((f) => f.code)).toContain("TRACELET_ERR_PLUGIN_QUARANTINED");
    const q = report.failures.find((f) => f.code === "TRACELET_ERR_PLUGIN_QUARANTINED");
    expect(q?.message).toContain('"flaky"');
  });
});
