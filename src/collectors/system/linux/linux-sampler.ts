import { readdir } from "node:fs/promises";
import { loadavg } from "node:os";
import type { SystemCollectorConfig } from "../metadata.js";
import { label, SYSTEM_PREFIX, toMegabytes } from "../names.js";
import { Rates } from "../rates.js";
import { busyPercent, type ProcStat, parseProcStat } from "./cpu.js";
import { parseDiskStats, wholeDisks } from "./disk-io.js";
import { MemoryReader, type MemoryReading } from "./memory.js";
import { interfaceFilter, parseNetDev } from "./network.js";
import { ProcFiles } from "./proc-file.js";
import { ProcessSampler } from "./process-sampler.js";

const P = SYSTEM_PREFIX;

/**
 * Samples the machine on Linux straight from `/proc`, `/sys` and cgroup files, every read
 * asynchronous and every file kept open between samples. Rates come from the real time
 * between two samples; {@link LinuxSampler.prime} takes the first reading.
 */
export class LinuxSampler {
  private readonly files = new ProcFiles();
  private readonly memory = new MemoryReader(this.files);
  private readonly rates = new Rates();
  private readonly process: ProcessSampler;
  private readonly netFilter: (name: string) => boolean;
  private disks = new Set<string>();
  private cpu: ProcStat | undefined;

  /** @param config - the collector's config */
  constructor(private readonly config: Readonly<SystemCollectorConfig>) {
    this.netFilter = interfaceFilter(config.networkInterfaces, config.includeLoopback ?? false);
    this.process = new ProcessSampler(this.files, this.rates, config.pid ?? process.pid, config.processTree ?? false);
  }

  /** What is read, for the collector's status. */
  get sources(): Record<string, unknown> {
    return { memory: this.memory.source, disks: [...this.disks] };
  }

  /** Finds the disks and the memory cgroup, and takes the first reading of every counter. */
  async prime(): Promise<void> {
    const names = this.config.disks ?? (await readdir("/sys/block").catch(() => [] as string[]));
    this.disks = this.config.disks ? new Set(names) : wholeDisks(names);
    await this.memory.locate();
    await this.sample();
  }

  /**
   * Takes one sample.
   *
   * @returns values by metric name (rates absent on the very first sample)
   */
  async sample(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    // Every read is issued at once; parsing happens after, synchronously and briefly.
    const [stat, memory, diskStats, netDev] = await Promise.all([
      this.files.read("/proc/stat"),
      this.memory.read(),
      this.disks.size > 0 ? this.files.tryRead("/proc/diskstats") : undefined,
      this.files.tryRead("/proc/net/dev"),
      this.process.add(out),
    ]);
    const at = performance.now();
    this.addCpu(out, stat);
    this.addLoad(out);
    this.addMemory(out, memory);
    if (diskStats !== undefined) this.addDiskIo(out, diskStats, at);
    if (netDev !== undefined) this.addNetwork(out, netDev, at);
    return out;
  }

  /** Closes every open file. */
  async close(): Promise<void> {
    await this.files.close();
    this.rates.clear();
  }

  private addCpu(out: Record<string, number>, text: string): void {
    const now = parseProcStat(text);
    const before = this.cpu;
    this.cpu = now;
    if (!before) return;
    const total = busyPercent(before.total, now.total);
    if (total !== undefined) out[`${P}cpu_utilization_percentage`] = total;
    if (!this.config.perCore) return;
    now.cores.forEach((core, i) => {
      const previous = before.cores[i];
      const value = previous ? busyPercent(previous, core) : undefined;
      if (value !== undefined) out[`${P}cpu_${i}_utilization_percentage`] = value;
    });
  }

  private addLoad(out: Record<string, number>): void {
    // os.loadavg() is one sysinfo(2) call: cheaper than reading /proc/loadavg, and as exact.
    const [one, five, fifteen] = loadavg();
    out[`${P}load_average_1m`] = one;
    out[`${P}load_average_5m`] = five;
    out[`${P}load_average_15m`] = fifteen;
  }

  private addMemory(out: Record<string, number>, m: MemoryReading): void {
    out[`${P}memory_used_megabytes`] = toMegabytes(m.used);
    out[`${P}memory_available_megabytes`] = toMegabytes(m.available);
    out[`${P}memory_total_megabytes`] = toMegabytes(m.total);
    if (m.total > 0) out[`${P}memory_utilization_percentage`] = (m.used / m.total) * 100;
    out[`${P}swap_used_megabytes`] = toMegabytes(m.swapUsed);
    out[`${P}swap_total_megabytes`] = toMegabytes(m.swapTotal);
    if (m.swapTotal > 0) out[`${P}swap_utilization_percentage`] = (m.swapUsed / m.swapTotal) * 100;
  }

  private addDiskIo(out: Record<string, number>, text: string, at: number): void {
    const io = parseDiskStats(text, this.disks);
    const read = this.rates.update("disk.read", io.read, at);
    const written = this.rates.update("disk.write", io.written, at);
    if (read !== undefined) out[`${P}disk_read_bytes_per_second`] = read;
    if (written !== undefined) out[`${P}disk_write_bytes_per_second`] = written;
  }

  private addNetwork(out: Record<string, number>, text: string, at: number): void {
    let rx = 0;
    let tx = 0;
    for (const [name, c] of parseNetDev(text, this.netFilter)) {
      rx += c.rx;
      tx += c.tx;
      if (!this.config.perInterface) continue;
      const r = this.rates.update(`net.${name}.rx`, c.rx, at);
      const t = this.rates.update(`net.${name}.tx`, c.tx, at);
      if (r !== undefined) out[`${P}network_${label(name)}_receive_bytes_per_second`] = r;
      if (t !== undefined) out[`${P}network_${label(name)}_transmit_bytes_per_second`] = t;
    }
    const r = this.rates.update("net.rx", rx, at);
    const t = this.rates.update("net.tx", tx, at);
    if (r !== undefined) out[`${P}network_receive_bytes_per_second`] = r;
    if (t !== undefined) out[`${P}network_transmit_bytes_per_second`] = t;
  }
}
