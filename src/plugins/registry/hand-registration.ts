import { TraceletError } from "../../core/errors.js";
import type { PluginClass, PluginMetadata } from "../../core/plugin-api.js";
import { PLUGIN_NAME_PATTERN } from "./manifest/manifest-schema.js";
import { MAX_PLUGIN_NAME_LENGTH } from "./manifest/manifest-types.js";
import type { PluginRecord } from "./plugin-record.js";

const NAME = new RegExp(PLUGIN_NAME_PATTERN);

// A plugin name becomes part of paths (the spool's directory, say): the manifest's rule holds
// for classes registered by hand too.
function checkName(name: string, className: string): void {
  if (name.length <= MAX_PLUGIN_NAME_LENGTH && NAME.test(name)) return;
  throw new TraceletError(
    "TRACELET_ERR_MANIFEST_INVALID",
    `Plugin class ${className || "(anonymous)"} has an invalid name ${JSON.stringify(name.slice(0, 100))}: it must match ${PLUGIN_NAME_PATTERN} (at most ${MAX_PLUGIN_NAME_LENGTH} characters).`,
    { details: { className, name: name.slice(0, 100) } },
  );
}

/**
 * Reads the metadata of a class registered by hand: the explicit argument, else a static
 * `metadata`, else a static or instance `getMetadata()`.
 *
 * @param cls - the plugin class
 * @param metadata - explicit metadata (wins, field by field)
 * @returns complete metadata
 * @throws TraceletError `TRACELET_ERR_MANIFEST_INVALID` when no name or type can be found, or the
 *   name does not match the manifest's name pattern (it becomes part of paths, e.g. the spool's)
 */
export function metadataOf(cls: PluginClass, metadata?: Partial<PluginMetadata>): PluginMetadata {
  if (typeof cls !== "function") {
    throw new TraceletError("TRACELET_ERR_LOAD_FAILED", "registerPlugin() takes a plugin class.");
  }
  let own: Partial<PluginMetadata> | undefined = cls.metadata ?? cls.getMetadata?.();
  if (!own) {
    const proto = cls.prototype as { getMetadata?: () => PluginMetadata };
    if (typeof proto?.getMetadata === "function") own = proto.getMetadata.call(Object.create(proto));
  }
  const merged = { ...own, ...metadata };
  if (typeof merged.name !== "string" || (merged.type !== "backend" && merged.type !== "collector")) {
    throw new TraceletError(
      "TRACELET_ERR_MANIFEST_INVALID",
      `Plugin class ${cls.name || "(anonymous)"} has no usable metadata: it needs a name and a type ("backend" or "collector").`,
      { details: { className: cls.name } },
    );
  }
  checkName(merged.name, cls.name);
  return merged as PluginMetadata;
}

/**
 * Builds the record of a hand-registered (or built-in) class.
 *
 * @param load - how to get the class
 * @param metadata - its metadata
 * @param source - `"registered"` or `"builtin"`
 * @returns the record
 * @throws TraceletError `TRACELET_ERR_MANIFEST_INVALID` for a name outside the manifest's pattern
 */
export function recordOf(
  load: () => Promise<PluginClass>,
  metadata: PluginMetadata,
  source: "registered" | "builtin",
): PluginRecord {
  checkName(String(metadata.name), "");
  return { ...metadata, version: metadata.version ?? "0.0.0", source, state: "available", load };
}
