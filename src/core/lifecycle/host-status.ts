import { scrubValue } from "../config/redact.js";
import type { PluginInstance } from "../plugin-api.js";
import type { PluginErrorInfo, PluginState, PluginStats, PluginStatus, PluginType } from "../types.js";

function safeClone(value: Record<string, unknown>): Record<string, unknown> {
  try {
    return structuredClone(value);
  } catch {
    return { ...value };
  }
}

/**
 * One plugin's status: state, a copy of the engine's stats, the last error, and the plugin's
 * own `getStatus()` scrubbed of secret values (a throwing `getStatus()` is reported, not thrown).
 *
 * @param name - plugin name
 * @param type - plugin type
 * @param state - lifecycle state
 * @param stats - engine stats
 * @param lastError - last error, if any
 * @param instance - the plugin
 * @param secrets - secret values to scrub
 * @returns the status
 */
export function statusOf(
  name: string,
  type: PluginType,
  state: PluginState,
  stats: PluginStats,
  lastError: PluginErrorInfo | undefined,
  instance: PluginInstance,
  secrets: readonly string[],
): PluginStatus {
  let own: Record<string, unknown> | undefined;
  try {
    own = instance.getStatus?.();
  } catch (error) {
    own = { error: error instanceof Error ? error.message : String(error) };
  }
  const status: PluginStatus = { name, type, state, stats: structuredClone(stats) };
  if (lastError) status.lastError = { ...lastError };
  if (own) status.own = scrubValue(safeClone(own), secrets);
  return status;
}
