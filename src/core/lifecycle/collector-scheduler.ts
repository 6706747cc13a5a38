import type { CollectEvent } from "../hooks.js";
import type { PluginHost } from "./plugin-host.js";

/** The shortest sampling interval accepted, ms; shorter ones are raised to it. */
export const MIN_COLLECT_INTERVAL_MS = 100;

/** The sampling interval when a collector's config names none, ms. */
export const DEFAULT_COLLECT_INTERVAL_MS = 10_000;

/** Options of {@link CollectorTimer}. */
export interface CollectorTimerOptions {
  /** The collector. */
  host: PluginHost;
  /** Sampling interval, ms (at least {@link MIN_COLLECT_INTERVAL_MS}). */
  intervalMs: number;
  /** Deadline of one collect, ms. */
  timeoutMs: number;
  /** Receives each emitted sample. */
  onSample: (event: CollectEvent) => void;
  /**
   * Samples averaged into each emitted point (default: the collector's `samplesBeforeLogging`
   * config, else 1).
   */
  samplesBeforeLogging?: number;
}

/**
 * Averages metric values over several samples: each metric's mean over the samples that had it.
 */
export class SampleAverager {
  private readonly sums = new Map<string, { sum: number; count: number }>();
  /** Samples added since the last {@link SampleAverager.take}. */
  samples = 0;

  /**
   * Adds one sample.
   *
   * @param values - values by name
   */
  add(values: Record<string, number>): void {
    this.samples++;
    for (const [name, value] of Object.entries(values)) {
      if (typeof value !== "number") continue;
      const acc = this.sums.get(name);
      if (acc) {
        acc.sum += value;
        acc.count++;
      } else this.sums.set(name, { sum: value, count: 1 });
    }
  }

  /** @returns the means so far, and starts over */
  take(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, { sum, count }] of this.sums) out[name] = sum / count;
    this.sums.clear();
    this.samples = 0;
    return out;
  }
}

// A copy of a sample's numeric values (a collector may return other things by mistake).
function numbersOf(sample: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name in sample) {
    const value = sample[name];
    if (typeof value === "number" && Object.hasOwn(sample, name)) out[name] = value;
  }
  return out;
}

/**
 * The timer of one collector (the run's {@link CollectorScheduler} keeps one per started
 * collector). Samples it on a drift-corrected schedule: tick `n` fires at `start + n × interval`
 * whatever the previous ones cost, so the schedule does not creep. A collect never overlaps
 * the previous one; a collect slower than the interval skips the ticks it missed rather than
 * piling up. Timers are unref'd and every wait is asynchronous, so sampling neither keeps the
 * process alive nor blocks the event loop (a collector's own synchronous work aside).
 * With `samplesBeforeLogging` N > 1, N samples are averaged into one emitted point.
 */
export class CollectorTimer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private origin = 0;
  private ticks = 0;
  private stopped = false;
  private readonly intervalMs: number;
  private readonly perEmit: number;
  private readonly averager = new SampleAverager();
  /** Ticks skipped because the previous collect was still running. */
  skipped = 0;

  /** @param options - collector, interval, deadline, receiver */
  constructor(private readonly options: CollectorTimerOptions) {
    const interval = Number(options.intervalMs);
    this.intervalMs = Math.max(
      MIN_COLLECT_INTERVAL_MS,
      Number.isFinite(interval) && interval > 0 ? interval : DEFAULT_COLLECT_INTERVAL_MS,
    );
    const n = Number(options.samplesBeforeLogging ?? options.host.config.samplesBeforeLogging ?? 1);
    this.perEmit = Number.isInteger(n) && n > 1 ? n : 1;
  }

  /** The effective sampling interval, ms. */
  get interval(): number {
    return this.intervalMs;
  }

  /** Starts sampling; the first sample comes one interval from now. */
  start(): void {
    this.origin = performance.now();
    this.ticks = 0;
    this.schedule();
  }

  /**
   * Takes one sample now (after a running one settles). Once the timer is stopped, this
   * also emits whatever partial average is pending, so the last samples are not lost.
   */
  async sampleNow(): Promise<void> {
    while (this.running) await this.running;
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
    this.timer = undefined;
    if (this.running) await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    const now = performance.now();
    const due = Math.ceil((now - this.origin) / this.intervalMs);
    const next = Math.max(this.ticks + 1, due);
    this.skipped += Math.max(0, next - this.ticks - 1);
    this.ticks = next;
    const delay = Math.max(0, this.origin + this.ticks * this.intervalMs - now);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.sampleNow().finally(() => this.schedule());
    }, delay);
    this.timer.unref();
  }

  private async sample(): Promise<void> {
    const { host, timeoutMs, onSample } = this.options;
    let values: Record<string, number> | undefined;
    if (host.state === "started") {
      const result = await host.call("collect", timeoutMs, () => host.collector.collect());
      if (result.ok && result.value && typeof result.value === "object") {
        // One sample per point (the default): its own values, without the averager's bookkeeping.
        if (this.perEmit === 1 && this.averager.samples === 0) values = numbersOf(result.value);
        else this.averager.add(result.value);
      }
    }
    if (!values) {
      const full = this.averager.samples >= this.perEmit;
      if (!full && !(this.stopped && this.averager.samples > 0)) return;
      values = this.averager.take();
    }
    let count = 0;
    for (const _ in values) count++;
    if (count === 0) return;
    host.stats.points += count;
    onSample({ plugin: host.name, values, timestamp: Date.now() });
  }
}

/** Options of {@link CollectorScheduler}. */
export interface CollectorSchedulerOptions {
  /** The run's `collect` deadline, ms (each collect also ends within its interval). */
  collectTimeoutMs: number;
  /** Receives each emitted sample. */
  onSample: (event: CollectEvent) => void;
  /** Told when a collector starts while the run is live (enabled or reloaded mid-run). */
  onStarted?: (host: PluginHost) => void;
}

interface Entry {
  timer: CollectorTimer;
  key: string;
}

/**
 * Whether a collector wants periodic samples: not when its `hasPeriodicSamples()` returns
 * false (a params-only collector such as `git`). A throwing answer counts as yes.
 *
 * @param host - the collector
 * @returns whether to schedule it
 */
export function hasPeriodicSamples(host: PluginHost): boolean {
  try {
    return host.collector.hasPeriodicSamples?.() !== false;
  } catch (error) {
    host.logger.warn({ err: error instanceof Error ? error.message : String(error) }, "hasPeriodicSamples() threw");
    return true;
  }
}

// What a schedule depends on: a change of either (reload, hot config update) reschedules.
function scheduleKey(host: PluginHost): string {
  const c = host.config;
  return `${Number(c.intervalMs ?? DEFAULT_COLLECT_INTERVAL_MS)}/${Number(c.samplesBeforeLogging ?? 1)}`;
}

/**
 * The run's collector scheduler: one {@link CollectorTimer} per started collector, kept in step
 * with the plugins for the whole run: a
 * collector that starts (at run start, or enabled or reloaded mid-run) gets a fresh schedule
 * at its configured `intervalMs`; a config change while it runs reschedules it at the new
 * interval; one that stops, fails or is disabled loses its schedule (its pending average is
 * emitted). Params-only collectors (`hasPeriodicSamples()` false) are never scheduled.
 */
export class CollectorScheduler {
  private readonly entries = new Map<string, Entry>();
  private readonly retiring = new Set<Promise<void>>();
  private readonly unsubscribe: Array<() => void> = [];
  private closed = false;

  /** @param options - deadline and receivers */
  constructor(private readonly options: CollectorSchedulerOptions) {}

  /**
   * Schedules every started collector among `hosts` and follows their changes from now on.
   *
   * @param hosts - the run's plugins (backends are ignored)
   */
  watch(hosts: readonly PluginHost[]): void {
    for (const host of hosts) {
      if (host.type !== "collector") continue;
      this.sync(host);
      this.unsubscribe.push(host.onChange((change) => this.changed(host, change)));
    }
  }

  /**
   * Stops following the plugins and stops every schedule (waiting for running samples).
   * Later changes schedule nothing.
   */
  async stop(): Promise<void> {
    this.closed = true;
    for (const off of this.unsubscribe.splice(0)) off();
    await Promise.all([...this.entries.values()].map((e) => e.timer.stop()));
    await Promise.all(this.retiring);
  }

  /** One last sample of every scheduled collector (after {@link CollectorScheduler.stop}). */
  async sampleNow(): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => e.timer.sampleNow()));
  }

  private changed(host: PluginHost, change: "state" | "config"): void {
    if (this.closed) return;
    const fresh = change === "state" && host.state === "started";
    this.sync(host, fresh);
    if (fresh) this.options.onStarted?.(host);
  }

  // `fresh`: a new instance has just started, so it gets a new schedule even at the same interval.
  private sync(host: PluginHost, fresh = false): void {
    const entry = this.entries.get(host.name);
    if (host.state !== "started" || !hasPeriodicSamples(host)) {
      if (entry) this.retire(host, entry, host.state !== "started");
      return;
    }
    const key = scheduleKey(host);
    if (entry && entry.key === key && !fresh) return;
    if (entry) this.retire(host, entry, false);
    const intervalMs = Number(host.config.intervalMs ?? DEFAULT_COLLECT_INTERVAL_MS);
    const timer = new CollectorTimer({
      host,
      intervalMs,
      timeoutMs: Math.min(this.options.collectTimeoutMs, intervalMs),
      onSample: this.options.onSample,
    });
    this.entries.set(host.name, { timer, key });
    timer.start();
  }

  // A collector that left "started" still emits the average it was building (no new collect:
  // the scheduler only collects from a started plugin); a rescheduled one just stops.
  private retire(host: PluginHost, entry: Entry, emitPending: boolean): void {
    this.entries.delete(host.name);
    const done = entry.timer
      .stop()
      .then(() => (emitPending ? entry.timer.sampleNow() : undefined))
      .catch((error: unknown) => host.logger.error({ err: error }, "a collector's last sample could not be emitted"));
    this.retiring.add(done);
    void done.finally(() => this.retiring.delete(done));
  }
}
