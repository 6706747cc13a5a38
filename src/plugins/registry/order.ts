import { TraceletError } from "../../core/errors.js";
import type { PluginRecord } from "./plugin-record.js";

/**
 * Orders plugins so that each comes after the plugins it depends on (a stable topological
 * sort; dependencies that are not among `records` are ignored here, checked at discovery).
 *
 * @param records - the plugins of a run
 * @returns the same plugins in start order
 * @throws TraceletError `TRACELET_ERR_DEPENDENCY_CYCLE` naming the whole cycle
 */
export function orderByDependencies(records: readonly PluginRecord[]): PluginRecord[] {
  const byName = new Map(records.map((r) => [r.name, r]));
  const out: PluginRecord[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (record: PluginRecord, path: string[]): void => {
    const s = state.get(record.name);
    if (s === "done") return;
    if (s === "visiting") {
      const cycle = [...path.slice(path.indexOf(record.name)), record.name];
      throw new TraceletError("TRACELET_ERR_DEPENDENCY_CYCLE", `Plugins depend on each other: ${cycle.join(" → ")}.`, {
        details: { cycle },
      });
    }
    state.set(record.name, "visiting");
    for (const dep of Object.keys(record.dependencies ?? {})) {
      const other = byName.get(dep);
      if (other) visit(other, [...path, record.name]);
    }
    state.set(record.name, "done");
    out.push(record);
  };
  for (const record of records) visit(record, []);
  return out;
}
