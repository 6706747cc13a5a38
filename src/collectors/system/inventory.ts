import { readFileSync } from "node:fs";
import { arch, cpus, platform, release, totalmem } from "node:os";

/** The machine's static description, logged once as params under `system.`. */
export interface SystemInventory {
  /** CPU brand and model. */
  cpu_model: string;
  /** Logical cores. */
  cpu_cores: number;
  /** Physical cores (when known). */
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

// Physical cores from /proc/cpuinfo: distinct (physical id, core id) pairs.
function physicalCores(cpuinfo: string): number {
  const cores = new Set<string>();
  for (const block of cpuinfo.split(/\n\s*\n/)) {
    const socket = /^physical id\s*:\s*(\S+)/m.exec(block)?.[1];
    const core = /^core id\s*:\s*(\S+)/m.exec(block)?.[1];
    if (socket !== undefined && core !== undefined) cores.add(`${socket}:${core}`);
  }
  return cores.size;
}

// The distribution from /etc/os-release (`NAME VERSION_ID`, e.g. "Debian GNU/Linux 12").
function distro(osRelease: string): string | undefined {
  const field = (key: string) => new RegExp(`^${key}=(.*)$`, "m").exec(osRelease)?.[1]?.replace(/^["']|["']$/g, "");
  const name = field("NAME") ?? field("PRETTY_NAME");
  return name ? [name, field("VERSION_ID")].filter(Boolean).join(" ") : undefined;
}

function readOr(paths: readonly string[]): string {
  for (const path of paths) {
    try {
      return readFileSync(path, "utf8");
    } catch {
      // Try the next one.
    }
  }
  return "";
}

// On Linux the files say it all; loading systeminformation would cost more than the whole run's
// start. They are small and in memory: read synchronously, the inventory is ready at once.
function addLinux(base: SystemInventory): void {
  const cpuinfo = readOr(["/proc/cpuinfo"]);
  const osRelease = readOr(["/etc/os-release", "/usr/lib/os-release"]);
  const physical = physicalCores(cpuinfo);
  if (physical > 0) base.cpu_physical_cores = physical;
  const name = distro(osRelease);
  if (name) base.os_distro = name;
}

async function addSystemInformation(base: SystemInventory): Promise<void> {
  const mod = (await import("systeminformation")) as typeof import("systeminformation") & {
    default?: typeof import("systeminformation");
  };
  const si = mod.default ?? mod;
  const [cpu, os] = await Promise.all([si.cpu(), si.osInfo()]);
  const model = [cpu.manufacturer, cpu.brand].filter(Boolean).join(" ").trim();
  if (model) base.cpu_model = model;
  if (cpu.physicalCores > 0) base.cpu_physical_cores = cpu.physicalCores;
  if (os.distro) base.os_distro = [os.distro, os.release].filter(Boolean).join(" ");
}

/**
 * Reads the static inventory once: `node:os`, plus `/proc/cpuinfo` and `/etc/os-release` on
 * Linux, or systeminformation's `cpu()` and `osInfo()` elsewhere (falling back to `node:os`
 * alone when it fails). GPUs are listed from the `nvidia-smi` rows.
 *
 * @returns the inventory
 */
export async function readInventory(): Promise<SystemInventory> {
  // One os.cpus(): each call reads /proc/stat, /proc/cpuinfo and every CPU's frequency file.
  const logical = cpus();
  const base: SystemInventory = {
    cpu_model: logical[0]?.model ?? "unknown",
    cpu_cores: logical.length,
    os_platform: platform(),
    os_kernel: release(),
    arch: arch(),
    memory_total_megabytes: totalmem() / 1024 / 1024,
  };
  try {
    if (platform() === "linux") addLinux(base);
    else await addSystemInformation(base);
  } catch {
    // node:os already gave the essentials.
  }
  return base;
}
