import type { CollectEvent } from "../hooks.js";
import { CollectorScheduler, DEFAULT_COLLECT_INTERVAL_MS } from "./collector-scheduler.js";
import type { PluginHost } from "./plugin-host.js";

/** Options of {@link CollectorSchedules}. */
export interface CollectorSchedulesOptions {
  /** The run's `collect` deadline, ms (each collect also ends within its interval). */
  collectTimeoutMs: number;
  /** Receives each emitted sample. */
  onSample: (event: CollectEvent) => void;
  /** Told when a collector starts while the run is live (enabled or reloaded mid-run). */
  onStarted?: (host: PluginHost) => void;
}

interface Entry {
  scheduler: CollectorScheduler;
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
 * The schedules of a run's collectors, kept in step with the plugins for the whole run: a
 * collector that starts (at run start, or enabled or reloaded mid-run) gets a fresh schedule
 * at its configured `intervalMs`; a config change while it runs reschedules it at the new
 * interval; one that stops, fails or is disabled loses its schedule (its pending average is
 * emitted). Params-only collectors (`hasPeriodicSamples()` false) are never scheduled.
 */
export class CollectorSchedules {
  private readonly entries = new Map<string, Entry>();
  private readonly retiring = new Set<Promise<void>>();
  private readonly unsubscribe: Array<() => void> = [];
  private closed = false;

  /** @param options - deadline and receivers */
  constructor(private readonly options: CollectorSchedulesOptions) {}

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
    await Promise.all([...this.entries.values()].map((e) => e.scheduler.stop()));
    await Promise.all(this.retiring);
  }

  /** One last sample of every scheduled collector (after {@link CollectorSchedules.stop}). */
  async sampleNow(): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => e.scheduler.sampleNow()));
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
    const scheduler = new CollectorScheduler({
      host,
      intervalMs,
      timeoutMs: Math.min(this.options.collectTimeoutMs, intervalMs),
      onSample: this.options.onSample,
    });
    this.entries.set(host.name, { scheduler, key });
    scheduler.start();
  }

  // A collector that left "started" still emits the average it was building (no new collect:
  // the scheduler only collects from a started plugin); a rescheduled one just stops.
  private retire(host: PluginHost, entry: Entry, emitPending: boolean): void {
    this.entries.delete(host.name);
    const done = entry.scheduler
      .stop()
      .then(() => (emitPending ? entry.scheduler.sampleNow() : undefined))
      .catch((error: unknown) => host.logger.error({ err: error }, "a collector's last sample could not be emitted"));
    this.retiring.add(done);
    void done.finally(() => this.retiring.delete(done));
  }
}
