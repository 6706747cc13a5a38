import type { PluginMetadata } from "../core/plugin-api.js";
import type { MetricRecord } from "../core/types.js";
import { BackendPlugin } from "../index.js";

/** One artifact a {@link MemoryBackend} received. */
export interface MemoryArtifact {
  /** Absolute path of the file or directory. */
  localPath: string;
  /** Where it was to go inside the run. */
  artifactPath?: string;
}

/** Config of {@link MemoryBackend}. */
export type MemoryBackendConfig = Record<string, never>;

/**
 * A backend that keeps everything in memory, for tests. Every instance appends to the static
 * `received` of its class, so a test can read what a run delivered after it stopped.
 *
 * @example
 * ```ts
 * const exp = await withTestExperiment({});
 * exp.logMetric("loss", 1, 0);
 * await exp.stop();
 * MemoryBackend.last?.points; // [{ name: "loss", value: 1, step: 0, ... }]
 * ```
 */
export class MemoryBackend extends BackendPlugin<MemoryBackendConfig> {
  /** Metadata for hand registration. */
  static metadata: PluginMetadata = {
    name: "memory",
    type: "backend",
    description: "Keeps everything in memory (tests).",
  };
  /** The most recent instance. */
  static last: MemoryBackend | undefined;
  /** Points received, in order. */
  readonly points: MetricRecord[] = [];
  /** Params received (merged). */
  readonly params: Record<string, unknown> = {};
  /** Tags received (the run's tags as last set). */
  tags: Readonly<Record<string, string>> = {};
  /** Artifacts received. */
  readonly artifacts: MemoryArtifact[] = [];
  /** Whether `stop()` was called. */
  stopped = false;

  constructor() {
    super();
    MemoryBackend.last = this;
  }

  /**
   * Keeps one point, with its step and logging timestamp.
   *
   * @param name - metric name
   * @param value - the value
   * @param step - its step (default 0)
   * @param timestamp - when it was logged, ms since the epoch (default now)
   */
  logMetric(name: string, value: number, step = 0, timestamp = Date.now()): void {
    this.points.push({ name, value, step, timestamp });
  }

  /**
   * Keeps a batch, in order.
   *
   * @param batch - the points
   */
  override logMetrics(batch: MetricRecord[]): void {
    for (const p of batch) this.points.push(p);
  }

  override logParams(params: Record<string, unknown>): void {
    Object.assign(this.params, params);
  }

  /**
   * Keeps the run's tags.
   *
   * @param tags - every tag of the run
   */
  override setTags(tags: Readonly<Record<string, string>>): void {
    this.tags = { ...tags };
  }

  override logArtifact(localPath: string, artifactPath?: string): void {
    this.artifacts.push({ localPath, artifactPath });
  }

  override stop(): void {
    this.stopped = true;
  }

  override getStatus(): Record<string, unknown> {
    return { connected: !this.stopped, points: this.points.length };
  }
}
