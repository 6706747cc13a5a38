import { loadavg } from "node:os";
import type { SystemCollectorConfig } from "./metadata.js";
import { label, SYSTEM_PREFIX, toMegabytes } from "./names.js";
import { Rates } from "./rates.js";

type SystemInformation = typeof import("systeminformation");

const P = SYSTEM_PREFIX;

/**
 * Samples through systeminformation, for platforms other than Linux (macOS, Windows) where
 * there is no `/proc`. Same metric names as the Linux sampler; rates from systeminformation's
 * cumulative counters over the real time between samples.
 */
export class SystemInformationSampler {
  private si: SystemInformation | undefined;
  private readonly rates = new Rates();
  private readonly pid: number;

  /** @param config - the collector's config */
  constructor(private readonly config: Readonly<SystemCollectorConfig>) {
    this.pid = config.pid ?? process.pid;
  }

  /** Loads systeminformation and takes the first reading of every counter. */
  async prime(): Promise<void> {
    const mod = (await import("systeminformation")) as SystemInformation & { default?: SystemInformation };
    this.si = mod.default ?? mod;
    await this.sample();
  }

  /**
   * Takes one sample.
   *
   * @returns values by metric name
   */
  async sample(): Promise<Record<string, number>> {
    const si = this.si;
    if (!si) return {};
    const out: Record<string, number> = {};
    const [load, mem, fs, net] = await Promise.all([
      si.currentLoad(),
      si.mem(),
      si.fsStats().catch(() => undefined),
      si.networkStats("*").catch(() => []),
    ]);
    const at = performance.now();
    out[`${P}cpu_utilization_percentage`] = load.currentLoad;
    if (this.config.perCore) {
      load.cpus.forEach((c, i) => {
        out[`${P}cpu_${i}_utilization_percentage`] = c.load;
      });
    }
    const [one, five, fifteen] = loadavg();
    out[`${P}load_average_1m`] = one;
    out[`${P}load_average_5m`] = five;
    out[`${P}load_average_15m`] = fifteen;
    out[`${P}memory_used_megabytes`] = toMegabytes(mem.total - mem.available);
    out[`${P}memory_available_megabytes`] = toMegabytes(mem.available);
    out[`${P}memory_total_megabytes`] = toMegabytes(mem.total);
    if (mem.total > 0) out[`${P}memory_utilization_percentage`] = ((mem.total - mem.available) / mem.total) * 100;
    out[`${P}swap_used_megabytes`] = toMegabytes(mem.swapused);
    out[`${P}swap_total_megabytes`] = toMegabytes(mem.swaptotal);
    if (mem.swaptotal > 0) out[`${P}swap_utilization_percentage`] = (mem.swapused / mem.swaptotal) * 100;
    this.addRate(out, "disk.read", fs?.rx, at, `${P}disk_read_bytes_per_second`);
    this.addRate(out, "disk.write", fs?.wx, at, `${P}disk_write_bytes_per_second`);
    const wanted = this.config.networkInterfaces;
    let rx = 0;
    let tx = 0;
    for (const n of net) {
      if (wanted?.length ? !wanted.includes(n.iface) : !this.config.includeLoopback && /^lo\d*$/.test(n.iface))
        continue;
      rx += n.rx_bytes;
      tx += n.tx_bytes;
      if (!this.config.perInterface) continue;
      this.addRate(out, `net.${n.iface}.rx`, n.rx_bytes, at, `${P}network_${label(n.iface)}_receive_bytes_per_second`);
      this.addRate(out, `net.${n.iface}.tx`, n.tx_bytes, at, `${P}network_${label(n.iface)}_transmit_bytes_per_second`);
    }
    this.addRate(out, "net.rx", rx, at, `${P}network_receive_bytes_per_second`);
    this.addRate(out, "net.tx", tx, at, `${P}network_transmit_bytes_per_second`);
    // Without /proc only this process can be tracked.
    if (this.pid === process.pid) {
      const cpu = process.cpuUsage();
      const micros = this.rates.update("process.cpu", cpu.user + cpu.system, at);
      if (micros !== undefined) out[`${P}process_cpu_utilization_percentage`] = micros / 1e4;
      out[`${P}process_memory_rss_megabytes`] = toMegabytes(process.memoryUsage.rss());
    }
    return out;
  }

  /** Forgets the counters. */
  async close(): Promise<void> {
    this.rates.clear();
  }

  private addRate(out: Record<string, number>, key: string, value: number | undefined, at: number, name: string): void {
    if (value === undefined || !Number.isFinite(value)) return;
    const rate = this.rates.update(key, value, at);
    if (rate !== undefined) out[name] = rate;
  }
}
