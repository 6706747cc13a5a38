import { isTraceletError, TraceletError } from "../../core/errors.js";
import type { PluginClass, PluginInstance } from "../../core/plugin-api.js";
import type { PluginRecord } from "./plugin-record.js";

/**
 * Imports a plugin's class (once per module) and constructs an instance, checking that it
 * really is a plugin of the declared type.
 *
 * @param record - the plugin
 * @returns a fresh instance
 * @throws TraceletError `TRACELET_ERR_LOAD_FAILED`
 */
export async function instantiate(record: PluginRecord): Promise<PluginInstance> {
  let cls: PluginClass;
  try {
    cls = await record.load();
  } catch (error) {
    // Discovered plugins' loaders already say precisely what failed (missing export, not a class).
    if (isTraceletError(error)) throw error;
    throw new TraceletError("TRACELET_ERR_LOAD_FAILED", `Plugin "${record.name}" could not be imported.`, {
      cause: error,
      details: { plugin: record.name, package: record.packageName, entry: record.entry },
    });
  }
  if (typeof cls !== "function") {
    throw new TraceletError(
      "TRACELET_ERR_LOAD_FAILED",
      `Plugin "${record.name}": export "${record.export ?? "default"}" is not a class.`,
      { details: { plugin: record.name, package: record.packageName, entry: record.entry } },
    );
  }
  let instance: PluginInstance;
  try {
    instance = new cls();
  } catch (error) {
    throw new TraceletError("TRACELET_ERR_LOAD_FAILED", `Plugin "${record.name}" could not be constructed.`, {
      cause: error,
      details: { plugin: record.name },
    });
  }
  const method = record.type === "backend" ? "logMetric" : "collect";
  if (typeof (instance as unknown as Record<string, unknown>)[method] !== "function") {
    throw new TraceletError(
      "TRACELET_ERR_LOAD_FAILED",
      `Plugin "${record.name}" is declared a ${record.type} but its class has no ${method}() method.`,
      { details: { plugin: record.name, type: record.type } },
    );
  }
  return instance;
}
