import { describe, expect, it } from "vitest";
import { createLogger } from "../../../src/core/logger.js";
import {
  BackendPlugin,
  CollectorPlugin,
  isTraceletError,
  type MetricRecord,
  PluginManager,
  type StateChangeEvent,
} from "../../../src/index.js";
import { MemoryBackend, withTestExperiment } from "../../../src/testing/index.js";
import { tempDir } from "../../helpers/temp-dir.js";

const schema = {
  type: "object",
  properties: {
    url: { type: "string" },
    level: { type: "integer", minimum: 1, default: 1 },
    token: { type: "string", writeOnly: true },
  },
  required: ["url"],
  additionalProperties: false,
};

/** Takes config updates in place. */
class Hot extends BackendPlugin<{ url: string; level: number }> {
  static metadata = { name: "hot", type: "backend" as const, configSchema: schema };
  static instances = 0;
  static all: Hot[] = [];
  updates: unknown[] = [];
  points: MetricRecord[] = [];
  constructor() {
    super();
    Hot.instances++;
    Hot.all.push(this);
  }
  logMetric() {}
  override logMetrics(batch: MetricRecord[]) {
    this.points.push(...batch);
  }
  override onConfigUpdate(config: Readonly<{ url: string; level: number }>) {
    if (config.url === "refuse://") throw new Error("cannot switch to that url");
    this.updates.push(config);
  }
  override getStatus() {
    return { url: this.config.url, updates: this.updates.length };
  }
}

/** Has no onConfigUpdate: an update re-creates it. */
class Cold extends BackendPlugin<{ url: string }> {
  static metadata = { name: "cold", type: "backend" as const, configSchema: schema };
  static instances: Cold[] = [];
  constructor() {
    super();
    Cold.instances.push(this);
  }
  logMetric() {}
}

class Broken extends CollectorPlugin {
  static metadata = { name: "broken", type: "collector" as const };
  collect() {
    return {};
  }
  override start(): void {
    throw new Error("no sensor");
  }
}

function code(error: unknown): string {
  expect(isTraceletError(error), String(error)).toBe(true);
  return (error as { code: string }).code;
}

function managerWith(...classes: Array<typeof Hot | typeof Cold | typeof Broken>): PluginManager {
  const manager = new PluginManager({ cwd: process.cwd(), logger: createLogger({ level: "silent" }) });
  for (const cls of classes) manager.registerPlugin(cls);
  return manager;
}

describe("PluginManager.loadAll", () => {
  it("returns one result per plugin; one failure never stops the others", async () => {
    const manager = managerWith(Hot, Cold, Broken);
    const results = await manager.loadAll({
      hot: { url: "a://" },
      cold: { level: 0 },
      broken: {},
      missing: {},
    });
    expect(results.map((r) => [r.name, r.ok, r.state])).toEqual([
      ["hot", true, "started"],
      ["cold", false, "failed"],
      ["broken", false, "failed"],
      ["missing", false, "failed"],
    ]);
    expect(results[1]?.error?.code).toBe("TRACELET_ERR_CONFIG_INVALID");
    expect(results[1]?.error?.message).toContain("/url");
    expect(results[1]?.error?.message).toContain("/level");
    expect(results[2]?.error).toMatchObject({ code: "TRACELET_ERR_HOOK_FAILED", hook: "start" });
    expect(results[3]?.error?.code).toBe("TRACELET_ERR_PLUGIN_NOT_FOUND");
    const stopped = await manager.stopAll();
    expect(stopped.find((r) => r.name === "hot")?.state).toBe("stopped");
  });
});

describe("PluginManager.loadAll and dependencies", () => {
  it("does not start a plugin whose dependency failed to load, naming both", async () => {
    class NeedsCold extends BackendPlugin {
      static metadata = { name: "needs-cold", type: "backend" as const, dependencies: { cold: "*" } };
      logMetric() {}
    }
    const manager = managerWith(Cold);
    manager.registerPlugin(NeedsCold);
    const results = await manager.loadAll({ "needs-cold": {}, cold: { url: 42 } });
    expect(results.map((r) => [r.name, r.state, r.error?.code])).toEqual([
      ["needs-cold", "failed", "TRACELET_ERR_DEPENDENCY_FAILED"],
      ["cold", "failed", "TRACELET_ERR_CONFIG_INVALID"],
    ]);
    expect(results[0]?.error?.message).toContain('"needs-cold"');
    expect(results[0]?.error?.message).toContain('"cold"');
  });

  it("refuses to enable a plugin whose dependency is not started", async () => {
    class NeedsHot extends BackendPlugin {
      static metadata = { name: "needs-hot", type: "backend" as const, dependencies: { hot: "*" } };
      logMetric() {}
    }
    const manager = managerWith(Hot);
    manager.registerPlugin(NeedsHot);
    await manager.loadAll({ hot: { url: "a://" }, "needs-hot": {} });
    await manager.disablePlugin("needs-hot");
    await manager.disablePlugin("hot");
    await expect(manager.enablePlugin("needs-hot")).rejects.toMatchObject({ code: "TRACELET_ERR_DEPENDENCY_FAILED" });
    await manager.enablePlugin("hot");
    expect(await manager.enablePlugin("needs-hot")).toMatchObject({ ok: true, state: "started" });
  });
});

describe("management operations", () => {
  it("disables, enables, reloads and unloads, with legal transitions only", async () => {
    const manager = managerWith(Cold);
    await manager.loadAll({ cold: { url: "a://" } });
    const changes: string[] = [];
    const first = Cold.instances.at(-1);

    expect(await manager.disablePlugin("cold")).toMatchObject({ ok: true, state: "disabled" });
    await expect(manager.reloadPlugin("cold")).rejects.toSatisfy((e) => code(e) === "TRACELET_ERR_ILLEGAL_TRANSITION");
    expect(await manager.enablePlugin("cold")).toMatchObject({ ok: true, state: "started" });
    const second = Cold.instances.at(-1);
    expect(second).not.toBe(first);

    const reloaded = await manager.reloadPlugin("cold", { url: "b://" });
    expect(reloaded).toMatchObject({ ok: true, state: "started" });
    expect(Cold.instances.at(-1)).not.toBe(second);
    expect(manager.getPluginConfig("cold")).toEqual({ url: "b://", level: 1 });

    expect(await manager.unloadPlugin("cold")).toMatchObject({ ok: true, state: "available" });
    expect(() => manager.getPluginStatus("cold")).toThrow(/No plugin named "cold" is loaded/);
    void changes;
  });

  it("refuses an invalid reload config and leaves the plugin running", async () => {
    const manager = managerWith(Cold);
    await manager.loadAll({ cold: { url: "a://" } });
    const before = Cold.instances.at(-1);
    await expect(manager.reloadPlugin("cold", { url: 1 })).rejects.toSatisfy(
      (e) => code(e) === "TRACELET_ERR_CONFIG_INVALID",
    );
    expect(Cold.instances.at(-1)).toBe(before);
    expect(manager.getPluginStatus("cold")[0]?.state).toBe("started");
  });
});

describe("updatePluginConfig", () => {
  it("hands a valid update to onConfigUpdate in place (mode hot)", async () => {
    const manager = managerWith(Hot);
    await manager.loadAll({ hot: { url: "a://" } });
    const count = Hot.instances;
    const result = await manager.updatePluginConfig("hot", { url: "b://", level: 2 });
    expect(result).toMatchObject({ ok: true, mode: "hot", state: "started" });
    expect(Hot.instances).toBe(count);
    expect(manager.getPluginConfig("hot")).toEqual({ url: "b://", level: 2 });
    expect(manager.getPluginStatus("hot")[0]?.own).toEqual({ url: "a://", updates: 1 });
  });

  it("keeps the old config when the update is invalid, and says why", async () => {
    const manager = managerWith(Hot);
    await manager.loadAll({ hot: { url: "a://" } });
    let error: unknown;
    try {
      await manager.updatePluginConfig("hot", { url: "b://", level: 0, extra: true });
    } catch (e) {
      error = e;
    }
    expect(code(error)).toBe("TRACELET_ERR_CONFIG_INVALID");
    expect((error as Error).message).toContain("/level");
    expect((error as Error).message).toContain("/extra");
    expect(manager.getPluginConfig("hot")).toEqual({ url: "a://", level: 1 });
  });

  it("keeps the old config when onConfigUpdate refuses it", async () => {
    const manager = managerWith(Hot);
    await manager.loadAll({ hot: { url: "a://" } });
    const result = await manager.updatePluginConfig("hot", { url: "refuse://" });
    expect(result).toMatchObject({ ok: false, mode: "hot", state: "started" });
    expect(result.error).toMatchObject({ code: "TRACELET_ERR_HOOK_FAILED", hook: "configUpdate" });
    expect(manager.getPluginConfig("hot")).toEqual({ url: "a://", level: 1 });
  });

  it("re-creates a plugin without onConfigUpdate (mode reinitialized)", async () => {
    const manager = managerWith(Cold);
    await manager.loadAll({ cold: { url: "a://" } });
    const before = Cold.instances.at(-1) as Cold;
    const result = await manager.updatePluginConfig("cold", { url: "b://" });
    expect(result).toMatchObject({ ok: true, mode: "reinitialized", state: "started" });
    const after = Cold.instances.at(-1) as Cold;
    expect(after).not.toBe(before);
    expect(after.config).toEqual({ url: "b://", level: 1 });
  });

  it("stores the update of a plugin that is not running (mode stored)", async () => {
    const manager = managerWith(Cold);
    await manager.loadAll({ cold: { url: "a://" } });
    await manager.disablePlugin("cold");
    expect(await manager.updatePluginConfig("cold", { url: "c://" })).toMatchObject({ ok: true, mode: "stored" });
    await manager.enablePlugin("cold");
    expect((Cold.instances.at(-1) as Cold).config).toEqual({ url: "c://", level: 1 });
  });
});

describe("status and schema", () => {
  it("combines the plugin's own status, its state and the engine's stats", async () => {
    const manager = managerWith(Hot);
    await manager.loadAll({ hot: { url: "a://" } });
    const [status] = manager.getPluginStatus("hot");
    expect(status).toMatchObject({ name: "hot", type: "backend", state: "started", own: { url: "a://", updates: 0 } });
    expect(status?.stats.calls).toMatchObject({ initialize: 1, start: 1 });
    expect(status?.stats.timeMs.initialize).toBeGreaterThanOrEqual(0);
    expect(manager.getPluginStatus().map((s) => s.name)).toEqual(["hot"]);
    expect(manager.getPluginConfigSchema("hot")).toBe(schema);
  });
});

describe("managing the plugins of a running experiment", () => {
  it("a disabled backend gets no calls until it is enabled again (a fresh instance), and stateChange fires", async () => {
    const manager = new PluginManager({ logger: createLogger({ level: "silent" }) });
    const exp = await withTestExperiment(
      { cwd: await tempDir(), manager, backends: ["memory", "hot"], plugins: { hot: { url: "a://" } } },
      [Hot],
    );
    const hots = Hot.all.slice(-1);
    const changes: StateChangeEvent[] = [];
    exp.hooks.stateChange.tap("test", (e) => changes.push(e));
    exp.logMetric("x", 1, 0);
    await exp.flush();
    await manager.disablePlugin("hot");
    exp.logMetric("x", 2, 1);
    await exp.flush();
    await manager.enablePlugin("hot");
    hots.push(Hot.all.at(-1) as Hot);
    exp.logMetric("x", 3, 2);
    await exp.stop();
    expect((MemoryBackend.last as MemoryBackend).points.map((p) => p.value)).toEqual([1, 2, 3]);
    // The first instance got only the point logged before it was disabled; the fresh instance
    // gets the point logged after (points logged meanwhile wait in the backend's queue).
    expect(hots[0]?.points.map((p) => p.value)).toEqual([1]);
    expect(hots[1]?.points.map((p) => p.value)).toContain(3);
    expect(changes.filter((c) => c.plugin === "hot").map((c) => `${c.from}>${c.to}`)).toEqual([
      "started>stopping",
      "stopping>stopped",
      "stopped>disabled",
      "disabled>loaded",
      "loaded>initialized",
      "initialized>started",
      "started>stopping",
      "stopping>stopped",
    ]);
  });

  it("a plugin disabled before the run is created disabled and never called", async () => {
    const manager = new PluginManager({ logger: createLogger({ level: "silent" }) });
    await manager.disablePlugin("cold");
    const count = Cold.instances.length;
    const exp = await withTestExperiment(
      { cwd: await tempDir(), manager, backends: ["memory", "cold"], plugins: { cold: { url: "a://" } } },
      [Cold],
    );
    const cold = exp.status().plugins.find((p) => p.name === "cold");
    expect(cold?.state).toBe("disabled");
    expect(cold?.stats.calls).toEqual({});
    await exp.stop();
    expect(Cold.instances.length).toBe(count + 1);
  });
});
