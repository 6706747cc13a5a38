import { describe, expect, it } from "vitest";
import { definePlugin, type MetricRecord, PluginManager } from "../../../src/index.js";
import { MemoryBackend, withTestExperiment } from "../../../src/testing/index.js";
import { tempDir } from "../../helpers/temp-dir.js";

const received: MetricRecord[] = [];
const seen: unknown[] = [];

const Collecting = definePlugin({
  name: "collecting",
  type: "backend",
  description: "keeps points",
  configSchema: {
    type: "object",
    properties: { prefix: { type: "string", default: "p" }, limit: { type: "integer", minimum: 1 } },
  },
  setup(config, context) {
    seen.push({ config, run: context.run.project, signal: context.signal instanceof AbortSignal });
    return {
      logMetric: (name, value, step) => {
        received.push({ name: `${config.prefix}/${name}`, value, step: step ?? 0, timestamp: 0 });
      },
      onConfigUpdate: (next) => {
        seen.push({ updated: next });
      },
    };
  },
});

const Ticking = definePlugin({
  name: "ticking",
  type: "collector",
  configSchema: { type: "object", properties: { value: { type: "number", default: 7 } } },
  setup: (config) => ({ collect: () => ({ "tick/value": config.value }) }),
});

describe("definePlugin", () => {
  it("makes a class that registers by hand and gets its validated, defaulted config", async () => {
    received.length = 0;
    seen.length = 0;
    expect(Collecting.metadata).toMatchObject({ name: "collecting", type: "backend", description: "keeps points" });
    const exp = await withTestExperiment(
      {
        cwd: await tempDir(),
        project: "defined",
        backends: ["memory", "collecting"],
        collectors: ["ticking"],
        plugins: { collecting: { limit: 3 }, ticking: { intervalMs: 60_000 } },
      },
      [Collecting, Ticking],
    );
    exp.logMetric("loss", 0.5, 4);
    await exp.stop();
    expect(seen[0]).toEqual({ config: { prefix: "p", limit: 3 }, run: "defined", signal: true });
    expect(received.filter((r) => r.name === "p/loss")).toEqual([
      { name: "p/loss", value: 0.5, step: 4, timestamp: 0 },
    ]);
    // The collector's final sample at stop went through the run like any other.
    expect((MemoryBackend.last as MemoryBackend).points.map((p) => [p.name, p.value])).toContainEqual([
      "tick/value",
      7,
    ]);
  });

  it("validates its config against the schema", async () => {
    await expect(
      withTestExperiment({ cwd: await tempDir(), backends: ["collecting"], plugins: { collecting: { limit: 0 } } }, [
        Collecting,
      ]),
    ).rejects.toMatchObject({ code: "TRACELET_ERR_CONFIG_INVALID" });
  });

  it("exposes onConfigUpdate only when setup returns it, so updates are hot", async () => {
    seen.length = 0;
    const manager = new PluginManager();
    manager.registerPlugin(Collecting);
    manager.registerPlugin(Ticking);
    await manager.loadAll({ collecting: {}, ticking: {} });
    expect(await manager.updatePluginConfig("collecting", { prefix: "q" })).toMatchObject({ ok: true, mode: "hot" });
    expect(seen.at(-1)).toEqual({ updated: { prefix: "q" } });
    expect(await manager.updatePluginConfig("ticking", { value: 1 })).toMatchObject({
      ok: true,
      mode: "reinitialized",
    });
    await manager.stopAll();
  });

  it("gives a collector every method of the contract its setup returns: params() and hasPeriodicSamples()", async () => {
    const Describing = definePlugin({
      name: "describing",
      type: "collector",
      configSchema: { type: "object", properties: {} },
      setup: () => ({
        collect: () => ({ "never/sampled": 1 }),
        params: () => ({ "machine.kind": "test" }),
        hasPeriodicSamples: () => false,
      }),
    });
    const exp = await withTestExperiment({ cwd: await tempDir(), collectors: ["describing"] }, [Describing]);
    await exp.stop();
    const memory = MemoryBackend.last as MemoryBackend;
    expect(memory.params).toMatchObject({ "machine.kind": "test" });
    // Not scheduled, not even the last sample at stop.
    expect(memory.points.map((p) => p.name)).not.toContain("never/sampled");
  });

  it("gives a backend setTags() when its setup returns it", async () => {
    const tags: Array<Record<string, string>> = [];
    const Tagging = definePlugin({
      name: "tagging",
      type: "backend",
      configSchema: { type: "object", properties: {} },
      setup: () => ({ logMetric: () => {}, setTags: (t) => void tags.push(t) }),
    });
    const exp = await withTestExperiment({ cwd: await tempDir(), backends: ["tagging"], tags: { team: "a" } }, [
      Tagging,
    ]);
    exp.setTags({ stage: "b" });
    await exp.stop();
    expect(tags.at(-1)).toMatchObject({ stage: "b" });
  });
});
