import type { CacheMode } from "./cache.js";

/** How discovery's cache is asked for: a mode, or `true` / `false` (the environment's or the default mode / off). */
export type DiscoveryCacheOption = CacheMode | "off" | boolean;

/**
 * The cache mode discovery runs in: an explicit mode wins; `false` is `off`; otherwise
 * `TRACELET_DISCOVERY_CACHE` (`strict`; `off`, `0` or `false`; `default`), else `default`.
 *
 * @param option - what the caller asked for
 * @returns the mode
 * @example
 * ```ts
 * cacheModeOf(undefined); // "default", or "strict" with TRACELET_DISCOVERY_CACHE=strict
 * ```
 */
export function cacheModeOf(option: DiscoveryCacheOption | undefined): CacheMode | "off" {
  if (option === false) return "off";
  if (option === "default" || option === "strict" || option === "off") return option;
  const env = process.env.TRACELET_DISCOVERY_CACHE?.trim().toLowerCase();
  if (env === "strict") return "strict";
  if (env === "off" || env === "0" || env === "false") return "off";
  return "default";
}
