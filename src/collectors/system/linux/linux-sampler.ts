import { readdir } from "node:fs/promises";
import { loadavg } from "node:os";
import type { SystemCollectorConfig } from "../metadata.js";
import { label, SYSTEM_PREFIX, toMegabytes } from "../names.js";
import { Rates } from "../rates.js";
import { busyPercent, type ProcStat, parseLoadAvg, parseProcStat } from "./cpu.js";
import { parseDiskStats, wholeDisks } from "./disk-io.js";
import { MemoryReader, type MemoryReading } from "./memory.js";
import { interfaceFilter, parseNetDev } from "./network.js";
import { ProcFiles } from "./proc-file.js";
import { ProcessSampler } from "./process-sampler.js";

const P = SYSTEM_PREFIX;

// Built once: a name made per sample would be a new string to hash on every use.
const N = {
  cpu: `${P}cpu_utilization_percentage`,
  load1: `${P}load_average_1m`,
  load5: `${P}load_average_5m`,
  load15: `${P}load_average_15m`,
  memUsed: `${P}memory_used_megabytes`,
  memAvailable: `${P}memory_available_megabytes`,
  memTotal: `${P}memory_total_megabytes`,
  memPct: `${P}memory_utilization_percentage`,
  swapUsed: `${P}swap_used_megabytes`,
  swapTotal: `${P}swap_total_megabytes`,
  swapPct: `${P}swap_utilization_percentage`,
  diskRead: `${P}disk_read_bytes_per_second`,
  diskWrite: `${P}disk_write_bytes_per_second`,
  netRx: `${P}network_receive_bytes_per_second`,
  netTx: `${P}network_transmit_bytes_per_second`,
} as const;

/**
 * Samples the machine on Linux straight from `/proc`, `/sys` and cgroup files, every file kept
 * open between samples and read synchronously (see {@link ProcFiles} for why). Only the
 * `processTree` option reads asynchronously (one file per process of the machine). Rates come
 * from the real time between two samples; {@link LinuxSampler.prime} takes the first reading.
 */
export class LinuxSampler {
  private readonly files = new ProcFiles();
  private readonly memory = new MemoryReader(this.files);
  private readonly rates = new Rates();
  private readonly process: ProcessSampler;
  private readonly netFilter: (name: string) => boolean;
  private disks = new Set<string>();
  private cpu: ProcStat | undefined;
  private coreNames: string[] = [];

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
    this.memory.locate();
    await this.sample({});
  }

  /**
   * Takes one sample. Synchronous unless the process tree is tracked.
   *
   * @param out - receives values by metric name (rates absent on the very first sample)
   * @returns a promise when the process tree is read, else undefined (all added already)
   * @throws the fs error when `/proc/stat` or `/proc/meminfo` cannot be read
   */
  sample(out: Record<string, number>): Promise<void> | undefined {
    const stat = this.files.read("/proc/stat");
    const memory = this.memory.read();
    const diskStats = this.disks.size > 0 ? this.files.tryRead("/proc/diskstats") : undefined;
    const netDev = this.files.tryRead("/proc/net/dev");
    const at = performance.now();
    const own = this.process.add(out, at);
    this.addCpu(out, stat);
    this.addLoad(out);
    this.addMemory(out, memory);
    if (diskStats !== undefined) this.addDiskIo(out, diskStats, at);
    if (netDev !== undefined) this.addNetwork(out, netDev, at);
    return own && this.process.tracksTree ? this.process.addTree(out, at, own) : undefined;
  }

  /** Closes every open file. */
  close(): void {
    this.files.close();
    this.rates.clear();
  }

  private addCpu(out: Record<string, number>, text: string): void {
    const now = parseProcStat(text, this.config.perCore === true);
    const before = this.cpu;
    this.cpu = now;
    if (!before) return;
    const total = busyPercent(before.total, now.total);
    if (total !== undefined) out[N.cpu] = total;
    if (!this.config.perCore) return;
    now.cores.forEach((core, i) => {
      const previous = before.cores[i];
      const value = previous ? busyPercent(previous, core) : undefined;
      this.coreNames[i] ??= `${P}cpu_${i}_utilization_percentage`;
      if (value !== undefined) out[this.coreNames[i]] = value;
    });
  }

  private addLoad(out: Record<string, number>): void {
    // os.loadavg() opens, reads and closes /proc/loadavg on every call: the kept-open file is
    // cheaper. It is the fallback where the file cannot be read.
    const text = this.files.tryRead("/proc/loadavg");
    const [one, five, fifteen] = text === undefined ? loadavg() : parseLoadAvg(text);
    out[N.load1] = one;
    out[N.load5] = five;
    out[N.load15] = fifteen;
  }

  private addMemory(out: Record<string, number>, m: MemoryReading): void {
    out[N.memUsed] = toMegabytes(m.used);
    out[N.memAvailable] = toMegabytes(m.available);
    out[N.memTotal] = toMegabytes(m.total);
    if (m.total > 0) out[N.memPct] = (m.used / m.total) * 100;
    out[N.swapUsed] = toMegabytes(m.swapUsed);
    out[N.swapTotal] = toMegabytes(m.swapTotal);
    if (m.swapTotal > 0) out[N.swapPct] = (m.swapUsed / m.swapTotal) * 100;
  }

  private addDiskIo(out: Record<string, number>, text: string, at: number): void {
    const io = parseDiskStats(text, this.disks);
    const read = this.rates.update("disk.read", io.read, at);
    const written = this.rates.update("disk.write", io.written, at);
    if (read !== undefined) out[N.diskRead] = read;
    if (written !== undefined) out[N.diskWrite] = written;
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
    if (r !== undefined) out[N.netRx] = r;
    if (t !== undefined) out[N.netTx] = t;
  }
}
