import { describe, expect, it } from "vitest";
import { BackendPlugin, type MetricRecord, type PluginContext } from "../../src/index.js";
import { MemoryBackend, withTestExperiment } from "../../src/testing/index.js";
import { tempDir } from "../helpers/temp-dir.js";

/** A backend that keeps `context.hooks` and, once started, tries to fire them (issue 12, B1/B15). */
class HookCaller extends BackendPlugin {
  static metadata = { name: "caller", type: "backend" as const };
  static last: HookCaller | undefined;
  readonly tried: string[] = [];

  override async initialize(config: Record<string, unknown>, context: PluginContext): Promise<void> {
    await super.initialize(config, context);
    HookCaller.last = this;
  }

  logMetric(): void {}

  attack(): void {
    const hooks = this.context.hooks as unknown as Record<string, Record<string, (...a: unknown[]) => unknown>>;
    const attempts: Array<[string, () => unknown]> = [
      ["metrics", () => hooks.metrics.call([{ name: "injected", value: Number.NaN, step: -5, timestamp: 0 }])],
      ["params", () => hooks.params.call({ injected: true })],
      ["tags", () => hooks.tags.call({ injected: "yes" })],
      ["error", () => hooks.error.call({ plugin: "memory", hook: "logMetrics", error: new Error("forged") })],
      ["stop", () => hooks.stop.promise({})],
      ["intercept", () => hooks.metrics.intercept({ call: () => {} })],
    ];
    for (const [name, attempt] of attempts) {
      try {
        attempt();
        this.tried.push(`${name}: fired`);
      } catch {
        this.tried.push(`${name}: refused`);
      }
    }
  }
}

describe("hooks are for observing (issue 12 B1, B6, B15)", () => {
  it("a plugin calling its hooks cannot inject points, params or tags, nor forge a failure", async () => {
    const cwd = await tempDir();
    const exp = await withTestExperiment({ cwd, backends: ["memory", "caller"] }, [HookCaller]);
    const seen: string[] = [];
    exp.hooks.params.tap("test", () => seen.push("params"));
    exp.hooks.tags.tap("test", () => seen.push("tags"));
    exp.hooks.metrics.tap("test", (batch) => seen.push(...batch.map((p) => p.name)));
    exp.logMetric("real", 1, 0);
    HookCaller.last!.attack();
    const report = await exp.stop();
    expect(HookCaller.last!.tried).toEqual([
      "metrics: refused",
      "params: refused",
      "tags: refused",
      "error: refused",
      "stop: refused",
      "intercept: refused",
    ]);
    const memory = MemoryBackend.last!;
    expect(memory.points.map((p) => p.name)).toEqual(["real"]);
    expect(memory.params).toEqual({});
    expect(seen).toEqual(["real"]);
    expect(report.failures).toEqual([]);
    expect(Object.isFrozen(exp.hooks)).toBe(true);
    expect(Object.isFrozen(exp.hooks.metrics)).toBe(true);
  });

  it("a tap on metrics that rewrites or empties its batch changes nothing any backend or other tap gets", async () => {
    const cwd = await tempDir();
    const exp = await withTestExperiment({ cwd, batchSize: 10 });
    const later: number[] = [];
    exp.hooks.metrics.tap("vandal", (batch) => {
      const b = batch as MetricRecord[];
      for (const p of b) p.value = -1;
      b.length = 0;
    });
    exp.hooks.metrics.tap("vandal-2", (batch) => (batch as MetricRecord[]).splice(0));
    exp.hooks.metrics.tap("reader", (batch) => later.push(...batch.map((p) => p.value)));
    for (let i = 0; i < 25; i++) exp.logMetric("m", i, i);
    const report = await exp.stop();
    const values = Array.from({ length: 25 }, (_, i) => i);
    expect(MemoryBackend.last!.points.map((p) => p.value)).toEqual(values);
    expect(later).toEqual(values);
    expect(report.failures).toEqual([]);
  });

  it("taps on params, tags and collect get frozen copies: changing them changes nothing delivered", async () => {
    const cwd = await tempDir();
    const exp = await withTestExperiment({ cwd });
    exp.hooks.params.tap("vandal", (params) => {
      try {
        (params as Record<string, unknown>).lr = 999;
      } catch {}
    });
    exp.hooks.tags.tap("vandal", (tags) => {
      try {
        (tags as Record<string, string>).team = "evil";
      } catch {}
    });
    exp.logParams({ lr: 0.1, nested: { list: [1, 2] } });
    exp.setTags({ team: "a" });
    await exp.stop();
    const memory = MemoryBackend.last!;
    expect(memory.params).toMatchObject({ lr: 0.1 });
    expect(memory.tags).toMatchObject({ team: "a" });
  });
});

/** A backend whose start fails, so the run reports it. */
class BrokenStart extends BackendPlugin {
  static metadata = { name: "broken", type: "backend" as const };
  override start(): void {
    throw new Error("start broke");
  }
  logMetric(): void {}
}

/** A backend that taps the error hook and rewrites every error it is shown. */
class ErrorVandal extends BackendPlugin {
  static metadata = { name: "vandal", type: "backend" as const };
  static tapped = 0;
  override initialize(config: Readonly<Record<string, unknown>>, context: PluginContext): void {
    super.initialize(config, context);
    context.hooks?.error.tap("vandal", (event) => {
      ErrorVandal.tapped++;
      const error = event.error as Error & { code: string; details?: Record<string, unknown> };
      const changes = [
        () => {
          error.message = "forged";
        },
        () => {
          error.code = "FORGED";
        },
        () => {
          if (error.details) error.details.plugin = "forged";
        },
      ];
      for (const change of changes) {
        try {
          change();
        } catch {}
      }
    });
  }
  logMetric(): void {}
}

describe("the error hook is for observing too", () => {
  it("a tap that rewrites the error it is given changes nothing the run reports", async () => {
    const cwd = await tempDir();
    const exp = await withTestExperiment({ cwd, backends: ["vandal", "memory", "broken"] }, [ErrorVandal, BrokenStart]);
    const report = await exp.stop();
    expect(ErrorVandal.tapped).toBeGreaterThan(0);
    const text = JSON.stringify({ failures: report.failures, status: exp.status() });
    expect(text).toContain("start broke");
    expect(text).not.toContain("forged");
    expect(text).not.toContain("FORGED");
  });
});
