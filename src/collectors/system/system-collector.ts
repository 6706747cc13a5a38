import type { ExecutionMode } from "../../core/plugin-api.js";
import type { PluginContext } from "../../core/types.js";
import { within } from "../../core/util/within.js";
import { CollectorPlugin } from "../../plugins/authoring/base.js";
import { DiskUsage } from "./disk-usage.js";
import { NvidiaSmiProcess } from "./gpu/nvidia-smi-process.js";
import { readInventory, type SystemInventory } from "./inventory.js";
import { LinuxSampler } from "./linux/linux-sampler.js";
import { type SystemCollectorConfig, systemMetadata } from "./metadata.js";

interface Sampler {
  prime(): Promise<void>;
  /** Adds one sample to `out`; a promise when some of it comes asynchronously. */
  sample(out: Record<string, number>): Promise<void> | undefined;
  close(): void | Promise<void>;
}

// The systeminformation sampler is for machines without /proc: loaded there only, on prime().
function systemInformationSampler(config: Readonly<SystemCollectorConfig>): Sampler {
  let inner: import("./si-sampler.js").SystemInformationSampler | undefined;
  return {
    async prime() {
      const { SystemInformationSampler } = await import("./si-sampler.js");
      inner = new SystemInformationSampler(config);
      await inner.prime();
    },
    sample: (out) => inner?.sample().then((values) => void Object.assign(out, values)),
    close: async () => inner?.close(),
  };
}

// How long params() waits for the static inventory and for nvidia-smi's first rows.
const INVENTORY_WAIT_MS = 3000;

/**
 * The built-in `system` collector: CPU, load, memory (cgroup-aware), swap, disk usage and I/O,
 * network, NVIDIA GPUs and the tracked process. On Linux it reads `/proc`, `/sys`, cgroup files
 * and `statfs` directly, synchronously (files the kernel generates in memory, local file
 * systems: microseconds each, cheaper than the thread pool's round trip); network file systems
 * and the process tree asynchronously. Elsewhere it samples through systeminformation.
 * GPUs come from one long-running `nvidia-smi` child, a managed resource of the run.
 * Metric names are listed in docs/collectors.md.
 */
export class SystemCollector extends CollectorPlugin<SystemCollectorConfig> {
  /** Metadata for hand registration. */
  static metadata = systemMetadata;
  private sampler: Sampler | undefined;
  private disk: DiskUsage | undefined;
  private gpu: NvidiaSmiProcess | undefined;
  private inventory: Promise<SystemInventory> | undefined;
  private primed: Promise<void> | undefined;

  /**
   * Chooses the sampler and prepares the GPU child (not started yet).
   *
   * @param config - validated config
   * @param context - logger, signal, run
   */
  override initialize(config: Readonly<SystemCollectorConfig>, context: PluginContext): void {
    super.initialize(config, context);
    const useProc = config.source === "proc" || ((config.source ?? "auto") === "auto" && process.platform === "linux");
    this.sampler = useProc ? new LinuxSampler(config) : systemInformationSampler(config);
    this.disk = new DiskUsage(config.diskPaths ?? ["/"]);
    if (config.gpu !== false) {
      this.gpu = new NvidiaSmiProcess({
        command: config.nvidiaSmiPath ?? "nvidia-smi",
        intervalMs: config.intervalMs ?? 10_000,
        logger: context.logger,
      });
    }
  }

  /**
   * Starts `nvidia-smi`, the inventory read and the priming of the counters (so that the first
   * sample has rates); the first sample comes an interval later, so start does not wait for them.
   */
  override async start(): Promise<void> {
    this.gpu?.start();
    this.inventory = readInventory();
    this.primed = this.sampler?.prime();
    // A failed prime surfaces in the first collect(); it must not be an unhandled rejection meanwhile.
    this.primed?.catch(() => {});
  }

  /**
   * Takes one sample.
   *
   * @returns values by metric name
   */
  async collect(): Promise<Record<string, number>> {
    await this.primed;
    const out: Record<string, number> = {};
    // On Linux both are synchronous (local file systems): no promise, no thread-pool round trip.
    const disk = this.disk?.add(out);
    const sampled = this.sampler?.sample(out);
    if (disk) await disk;
    if (sampled) await sampled;
    if (this.gpu) for (const row of this.gpu.gpus.values()) Object.assign(out, row.values);
    return out;
  }

  /**
   * The static inventory (CPU model, OS, memory size, GPU list), logged once as params.
   *
   * @returns params under `system.`
   */
  override async params(): Promise<Record<string, unknown>> {
    const inventory = this.inventory
      ? await within(this.inventory, INVENTORY_WAIT_MS, { keepAlive: false })
      : undefined;
    const gpu = this.gpu;
    if (gpu) await within(gpu.settled, INVENTORY_WAIT_MS, { keepAlive: false });
    const gpus = [...(gpu?.gpus.values() ?? [])].map((g) => ({ index: g.index, name: g.name, uuid: g.uuid }));
    return { system: { ...inventory, gpu_count: gpus.length, ...(gpus.length > 0 ? { gpus } : {}) } };
  }

  /** Kills `nvidia-smi` and closes the open `/proc` files. */
  override async stop(): Promise<void> {
    await this.gpu?.stop();
    await this.primed?.catch(() => {});
    await this.sampler?.close();
  }

  /** Where samples come from and how the GPU child is doing. */
  override getStatus(): Record<string, unknown> {
    return {
      sampler: this.sampler instanceof LinuxSampler ? "proc" : "systeminformation",
      ...(this.sampler instanceof LinuxSampler ? this.sampler.sources : {}),
      gpu: this.gpu
        ? { state: this.gpu.state, pid: this.gpu.pid, gpus: this.gpu.gpus.size, lastProblem: this.gpu.lastProblem }
        : "off",
    };
  }

  /** `"subprocess"` while `nvidia-smi` runs, else `"in-process"`. */
  override getExecutionMode(): ExecutionMode {
    return this.gpu?.pid !== undefined ? "subprocess" : "in-process";
  }

  /** The `nvidia-smi` child's pid while it runs. */
  override getChildPids(): number[] {
    const pid = this.gpu?.pid;
    return pid === undefined ? [] : [pid];
  }

  /** The `nvidia-smi` child as a managed resource. */
  override getManagedResources(): Record<string, unknown> {
    if (!this.gpu) return {};
    const { state, pid, starts, rows } = this.gpu;
    return { "nvidia-smi": { state, pid, starts, rows } };
  }

  /** Kills `nvidia-smi` synchronously (process exit without `stop()`). */
  override forceCleanup(): void {
    this.gpu?.forceCleanup();
  }
}
