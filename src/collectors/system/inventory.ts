import { arch, cpus, platform, release, totalmem } from "node:os";

/** The machine's static description, logged once as params under `system.`. */
export interface SystemInventory {
  /** CPU brand and model. */
  cpu_model: string;
  /** Logical cores. */
  cpu_cores: number;
  /** Physical cores (when systeminformation knows). */
  cpu_physical_cores?: number;
  /** `linux`, `darwin`, `win32`... */
  os_platform: string;
  /** Distribution or product name and release (e.g. `Debian GNU/Linux 12`). */
  os_distro?: string;
  /** Kernel release. */
  os_kernel: string;
  /** CPU architecture. */
  arch: string;
  /** Host memory in MiB. */
  memory_total_megabytes: number;
}

/**
 * Reads the static inventory once: systeminformation's `cpu()` and `osInfo()` (it is good at
 * this), falling back to `node:os` when it fails. GPUs are listed from the `nvidia-smi` rows.
 *
 * @returns the inventory
 */
export async function readInventory(): Promise<SystemInventory> {
  const base: SystemInventory = {
    cpu_model: cpus()[0]?.model ?? "unknown",
    cpu_cores: cpus().length,
    os_platform: platform(),
    os_kernel: release(),
    arch: arch(),
    memory_total_megabytes: totalmem() / 1024 / 1024,
  };
  try {
    const mod = (await import("systeminformation")) as typeof import("systeminformation") & {
      default?: typeof import("systeminformation");
    };
    const si = mod.default ?? mod;
    const [cpu, os] = await Promise.all([si.cpu(), si.osInfo()]);
    const model = [cpu.manufacturer, cpu.brand].filter(Boolean).join(" ").trim();
    if (model) base.cpu_model = model;
    if (cpu.physicalCores > 0) base.cpu_physical_cores = cpu.physicalCores;
    if (os.distro) base.os_distro = [os.distro, os.release].filter(Boolean).join(" ");
  } catch {
    // node:os already gave the essentials.
  }
  return base;
}
