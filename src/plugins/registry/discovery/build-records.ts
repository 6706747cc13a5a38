import { TraceletError } from "../../../core/errors.js";
import type { Candidate } from "../checks/candidate.js";
import type { PluginRecord } from "../plugin-record.js";
import { loadPluginClass } from "./load-entry.js";

/**
 * Turns a checked candidate into the record the registry keeps. Its `load` imports the
 * entry on first call only; a refused record's `load` throws its refusal.
 *
 * @param c - the candidate
 * @returns the record
 */
export function recordOfCandidate(c: Candidate): PluginRecord {
  const { plugin, pkg } = c;
  const exportName = plugin.export ?? "default";
  const record: PluginRecord = {
    name: plugin.name,
    type: plugin.type,
    version: plugin.version ?? pkg.version,
    description: plugin.description ?? pkg.description,
    author: plugin.author ?? pkg.author,
    configSchema: c.schema,
    dependencies: plugin.dependencies,
    requires: plugin.requires,
    source: pkg.source,
    state: c.state,
    problem: c.problem,
    packageName: pkg.name,
    packageVersion: pkg.version,
    path: pkg.dir,
    entry: plugin.entry,
    export: exportName,
    load: async () => {
      if (c.state === "refused" && c.problem) {
        throw new TraceletError(c.problem.code, c.problem.message, { details: { plugin: plugin.name } });
      }
      return loadPluginClass({ name: plugin.name, dir: pkg.dir, entry: plugin.entry, exportName });
    },
  };
  for (const key of Object.keys(record) as Array<keyof PluginRecord>) {
    if (record[key] === undefined) delete record[key];
  }
  return record;
}
