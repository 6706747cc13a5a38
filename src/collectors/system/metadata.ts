import type { PluginMetadata } from "../../core/plugin-api.js";

/** Config of the built-in `system` collector. */
export interface SystemCollectorConfig {
  /** Sampling interval in ms (handled by Tracelet; default 10 000, at least 100). */
  intervalMs?: number;
  /** Samples averaged into each emitted point (handled by Tracelet; default 1). */
  samplesBeforeLogging?: number;
  /** Also emit per-core CPU utilization (default false). */
  perCore?: boolean;
  /** Paths whose file system usage is reported (default `["/"]`). */
  diskPaths?: string[];
  /** Block devices counted for disk I/O (default: every whole, non-virtual disk). */
  disks?: string[];
  /** Network interfaces counted (default: all but `lo`). */
  networkInterfaces?: string[];
  /** Count the loopback interface too (default false). */
  includeLoopback?: boolean;
  /** Also emit per-interface network rates (default false). */
  perInterface?: boolean;
  /** Sample NVIDIA GPUs through one long-running `nvidia-smi` (default true). */
  gpu?: boolean;
  /** The `nvidia-smi` executable (default: `nvidia-smi` on `PATH`). */
  nvidiaSmiPath?: string;
  /** Process whose CPU, memory and threads are reported (default: this process). */
  pid?: number;
  /** Also report the tracked process's whole tree of descendants (default false). */
  processTree?: boolean;
  /** Where samples come from: `/proc` on Linux, systeminformation elsewhere (default `"auto"`). */
  source?: "auto" | "proc" | "systeminformation";
}

/** JSON Schema of the `system` collector's config. */
export const systemConfigSchema = {
  type: "object",
  properties: {
    intervalMs: { type: "integer", minimum: 100, default: 10_000, description: "Sampling interval, ms." },
    samplesBeforeLogging: { type: "integer", minimum: 1, default: 1, description: "Samples averaged per point." },
    perCore: { type: "boolean", default: false },
    diskPaths: { type: "array", items: { type: "string" }, default: ["/"] },
    disks: { type: "array", items: { type: "string" } },
    networkInterfaces: { type: "array", items: { type: "string" } },
    includeLoopback: { type: "boolean", default: false },
    perInterface: { type: "boolean", default: false },
    gpu: { type: "boolean", default: true },
    nvidiaSmiPath: { type: "string", default: "nvidia-smi" },
    pid: { type: "integer", minimum: 1 },
    processTree: { type: "boolean", default: false },
    source: { enum: ["auto", "proc", "systeminformation"], default: "auto" },
  },
  additionalProperties: false,
} as const;

/** Metadata of the built-in `system` collector. */
export const systemMetadata: PluginMetadata = {
  name: "system",
  type: "collector",
  version: "1.0.0",
  description: "CPU, memory, disk, network, GPU and the tracked process, read from /proc, /sys and nvidia-smi.",
  configSchema: systemConfigSchema as unknown as Record<string, unknown>,
};
