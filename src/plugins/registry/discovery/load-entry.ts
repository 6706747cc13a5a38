import { realpathSync } from "node:fs";
import { join, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { TraceletError } from "../../../core/errors.js";
import type { PluginClass } from "../../../core/plugin-api.js";
import { didYouMean } from "../../../core/util/did-you-mean.js";
import { pathInside } from "../checks/inside-package.js";

const modules = new Map<string, Promise<Record<string, unknown>>>();

/** What {@link loadPluginClass} needs to know about a discovered plugin. */
export interface EntryRef {
  /** Plugin name (for messages). */
  name: string;
  /** Real path of its package directory. */
  dir: string;
  /** Entry, relative to the package. */
  entry: string;
  /** Named export holding the class. */
  exportName: string;
}

// The entry file to import: its real path, checked again right before the import to lie inside
// the package's real directory (the package may have changed since discovery validated it).
function validatedEntry(ref: EntryRef): string {
  const declared = join(ref.dir, ref.entry);
  const details = { plugin: ref.name, entry: declared, export: ref.exportName };
  let realDir: string;
  let real: string | undefined;
  try {
    realDir = realpathSync.native(ref.dir);
    const inside = pathInside(realDir, ref.entry);
    real = inside === undefined ? undefined : realpathSync.native(inside);
  } catch (error) {
    throw new TraceletError("TRACELET_ERR_LOAD_FAILED", `Plugin "${ref.name}": entry ${declared} is missing.`, {
      cause: error,
      details,
    });
  }
  if (real === undefined || !real.startsWith(realDir + sep)) {
    throw new TraceletError(
      "TRACELET_ERR_ENTRY_OUTSIDE_PACKAGE",
      `Plugin "${ref.name}": entry "${ref.entry}" resolves outside ${realDir}.`,
      { details },
    );
  }
  return real;
}

/**
 * Imports a discovered plugin's entry module (once per module file, however many plugins
 * it exports) and returns the named export, checked to be a class.
 *
 * @param ref - the plugin's entry
 * @returns the plugin class
 * @throws TraceletError `TRACELET_ERR_LOAD_FAILED` when the entry is missing, the import fails,
 *   the export is missing, or it is not a class; `TRACELET_ERR_ENTRY_OUTSIDE_PACKAGE` when the
 *   entry's real path is (no longer) inside the package's
 */
export async function loadPluginClass(ref: EntryRef): Promise<PluginClass> {
  const file = validatedEntry(ref);
  let loading = modules.get(file);
  if (!loading) {
    loading = import(pathToFileURL(file).href) as Promise<Record<string, unknown>>;
    modules.set(file, loading);
  }
  const details = { plugin: ref.name, entry: file, export: ref.exportName };
  let mod: Record<string, unknown>;
  try {
    mod = await loading;
  } catch (error) {
    throw new TraceletError("TRACELET_ERR_LOAD_FAILED", `Plugin "${ref.name}": importing ${file} failed.`, {
      cause: error,
      details,
    });
  }
  if (!Object.hasOwn(mod, ref.exportName)) {
    throw new TraceletError(
      "TRACELET_ERR_LOAD_FAILED",
      `Plugin "${ref.name}": ${file} has no export "${ref.exportName}".${didYouMean(ref.exportName, Object.keys(mod))}`,
      {
        details,
      },
    );
  }
  const cls = mod[ref.exportName];
  if (typeof cls !== "function" || cls.prototype === undefined) {
    throw new TraceletError(
      "TRACELET_ERR_LOAD_FAILED",
      `Plugin "${ref.name}": export "${ref.exportName}" of ${file} is not a class.`,
      { details },
    );
  }
  return cls as PluginClass;
}
