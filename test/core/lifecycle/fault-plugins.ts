import { BackendPlugin, CollectorPlugin, type MetricRecord, type PluginContext } from "../../../src/index.js";

/** The faults a test can inject. */
export type Fault = "throw" | "reject" | "hang" | "slow";

/** Which hook fails, and how. */
export interface FaultConfig {
  hook?: string;
  fault?: Fault;
  [key: string]: unknown;
}

/** Runs `ok` normally, or fails the way the config says when `hook` is the faulty one. */
export function act<T>(config: FaultConfig, hook: string, ok: () => T): T | Promise<T> {
  if (config.hook !== hook) return ok();
  switch (config.fault) {
    case "throw":
      throw new Error(`boom in ${hook}`);
    case "reject":
      return Promise.reject(new Error(`rejected in ${hook}`));
    case "hang":
      return new Promise<T>(() => {});
    case "slow":
      return new Promise<T>((resolve) => setTimeout(() => resolve(ok()), 20));
    default:
      return ok();
  }
}

/** A backend that fails in the configured hook. */
export class FaultyBackend extends BackendPlugin<FaultConfig> {
  static metadata = { name: "faulty", type: "backend" as const };
  cfg: FaultConfig = {};
  received = 0;

  override initialize(config: Readonly<FaultConfig>, context: PluginContext): void | Promise<void> {
    this.cfg = config;
    super.initialize(config, context);
    return act(config, "initialize", () => undefined);
  }
  override start() {
    return act(this.cfg, "start", () => undefined);
  }
  logMetric(): void {
    this.received++;
  }
  override logMetrics(batch: MetricRecord[]) {
    return act(this.cfg, "logMetrics", () => {
      this.received += batch.length;
    });
  }
  override logParams() {
    return act(this.cfg, "logParams", () => undefined);
  }
  override logArtifact() {
    return act(this.cfg, "logArtifact", () => undefined);
  }
  override flush() {
    return act(this.cfg, "flush", () => undefined);
  }
  override stop() {
    return act(this.cfg, "stop", () => undefined);
  }
}

/** A collector that fails in the configured hook (including `collect`). */
export class FaultyCollector extends CollectorPlugin<FaultConfig> {
  static metadata = { name: "faulty-collector", type: "collector" as const };
  cfg: FaultConfig = {};

  override initialize(config: Readonly<FaultConfig>, context: PluginContext): void | Promise<void> {
    this.cfg = config;
    super.initialize(config, context);
    return act(config, "initialize", () => undefined);
  }
  collect() {
    return act(this.cfg, "collect", () => ({ "faulty/value": 1 }));
  }
  override stop() {
    return act(this.cfg, "stop", () => undefined);
  }
}

/** A well-behaved collector, to show the others carry on. */
export class GoodCollector extends CollectorPlugin {
  static metadata = { name: "good-collector", type: "collector" as const };
  collect() {
    return { "good/value": 1 };
  }
}
