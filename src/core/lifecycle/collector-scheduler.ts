import type { CollectEvent } from "../hooks.js";
import type { PluginHost } from "./plugin-host.js";

/** Options of {@link CollectorScheduler}. */
export interface CollectorSchedulerOptions {
  /** The collector. */
  host: PluginHost;
  /** Sampling interval, ms. */
  intervalMs: number;
  /** Deadline of one collect, ms. */
  timeoutMs: number;
  /** Receives each sample. */
  onSample: (event: CollectEvent) => void;
}

/**
 * Samples one collector on a drift-corrected schedule; a collect never overlaps the previous
 * one (a late sample skips the ticks it missed rather than piling up).
 */
export class CollectorScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private origin = 0;
  private ticks = 0;
  private stopped = false;

  /** @param options - collector, interval, deadline, receiver */
  constructor(private readonly options: CollectorSchedulerOptions) {}

  /** Starts sampling; the first sample comes one interval from now. */
  start(): void {
    this.origin = performance.now();
    this.schedule();
  }

  /** Takes one sample now (not overlapping a running one). */
  async sampleNow(): Promise<void> {
    if (this.running) await this.running;
    this.running = this.sample();
    try {
      await this.running;
    } finally {
      this.running = undefined;
    }
  }

  /** Stops the schedule and waits for a running sample. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.running) await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    const { intervalMs } = this.options;
    const now = performance.now();
    this.ticks = Math.max(this.ticks + 1, Math.ceil((now - this.origin) / intervalMs));
    const delay = Math.max(0, this.origin + this.ticks * intervalMs - now);
    this.timer = setTimeout(() => {
      void this.sampleNow().finally(() => this.schedule());
    }, delay);
    this.timer.unref();
  }

  private async sample(): Promise<void> {
    const { host, timeoutMs, onSample } = this.options;
    if (host.state !== "started") return;
    const result = await host.call("collect", timeoutMs, () => host.collector.collect());
    if (!result.ok || !result.value) return;
    host.stats.points += Object.keys(result.value).length;
    onSample({ plugin: host.name, values: result.value, timestamp: Date.now() });
  }
}
