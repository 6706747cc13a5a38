import { type IntervalHistogram, monitorEventLoopDelay } from "node:perf_hooks";
import { CollectorPlugin } from "../../plugins/authoring/base.js";
import { type ProcessCollectorConfig, processMetadata } from "./metadata.js";

const MIB = 1024 * 1024;
const P = "process/";

/**
 * The built-in `process` collector: this Node process's CPU time (user and system, as a
 * percentage of one core over the real time since the previous sample), memory
 * (`process.memoryUsage()`) and event-loop delay (`perf_hooks.monitorEventLoopDelay`, reset
 * after each sample so each point covers one interval). Metric names are in docs/collectors.md.
 */
export class ProcessCollector extends CollectorPlugin<ProcessCollectorConfig> {
  /** Metadata for hand registration. */
  static metadata = processMetadata;
  private histogram: IntervalHistogram | undefined;
  private lastCpu: NodeJS.CpuUsage | undefined;
  private lastAt = 0;
  private resolutionMs = 10;

  /** Starts the event-loop delay histogram and primes the CPU counters. */
  override start(): void {
    this.resolutionMs = this.config.eventLoopResolutionMs ?? 10;
    this.histogram = monitorEventLoopDelay({ resolution: this.resolutionMs });
    this.histogram.enable();
    this.lastCpu = process.cpuUsage();
    this.lastAt = performance.now();
  }

  /**
   * Takes one sample.
   *
   * @returns values by metric name
   */
  collect(): Record<string, number> {
    const out: Record<string, number> = {};
    const now = performance.now();
    const cpu = process.cpuUsage();
    if (this.lastCpu && now > this.lastAt) {
      // cpuUsage is in µs: µs / (ms × 1000) × 100 = µs / ms / 10.
      const elapsedMs = now - this.lastAt;
      out[`${P}cpu_user_percentage`] = (cpu.user - this.lastCpu.user) / elapsedMs / 10;
      out[`${P}cpu_system_percentage`] = (cpu.system - this.lastCpu.system) / elapsedMs / 10;
      out[`${P}cpu_utilization_percentage`] = out[`${P}cpu_user_percentage`] + out[`${P}cpu_system_percentage`];
    }
    this.lastCpu = cpu;
    this.lastAt = now;
    const mem = process.memoryUsage();
    out[`${P}memory_rss_megabytes`] = mem.rss / MIB;
    out[`${P}heap_used_megabytes`] = mem.heapUsed / MIB;
    out[`${P}heap_total_megabytes`] = mem.heapTotal / MIB;
    out[`${P}external_megabytes`] = mem.external / MIB;
    out[`${P}array_buffers_megabytes`] = mem.arrayBuffers / MIB;
    out[`${P}uptime_seconds`] = process.uptime();
    const h = this.histogram;
    if (h && h.count > 0) {
      // The histogram records the time between its own timer ticks; the delay is what exceeds
      // the tick period (its resolution).
      const delay = (ns: number) => Math.max(0, ns / 1e6 - this.resolutionMs);
      out[`${P}event_loop_delay_mean_milliseconds`] = delay(h.mean);
      out[`${P}event_loop_delay_max_milliseconds`] = delay(h.max);
      out[`${P}event_loop_delay_p99_milliseconds`] = delay(h.percentile(99));
      h.reset();
    }
    return out;
  }

  /** Stops the histogram. */
  override stop(): void {
    this.histogram?.disable();
    this.histogram = undefined;
  }
}
