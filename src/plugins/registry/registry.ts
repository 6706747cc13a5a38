import type { PluginType } from "../../core/types.js";
import type { PluginRecord } from "./plugin-record.js";

/**
 * The plugins a manager knows, by type and name. Registered and built-in plugins are kept
 * across discoveries; discovered ones are replaced by each discovery.
 */
export class PluginRegistry {
  private readonly fixed = new Map<string, PluginRecord>();
  private discovered: PluginRecord[] = [];

  private static key(type: PluginType, name: string): string {
    return `${type}:${name}`;
  }

  /**
   * Adds a built-in or hand-registered plugin; it wins over a discovered one of the same name.
   *
   * @param record - the plugin
   */
  add(record: PluginRecord): void {
    this.fixed.set(PluginRegistry.key(record.type, record.name), record);
  }

  /**
   * The built-in and hand-registered plugins (they satisfy discovered plugins' dependencies).
   *
   * @returns the records
   */
  fixedRecords(): PluginRecord[] {
    return [...this.fixed.values()];
  }

  /**
   * Replaces the discovered plugins.
   *
   * @param records - every discovered candidate, whatever its state
   */
  setDiscovered(records: PluginRecord[]): void {
    this.discovered = records;
  }

  /**
   * Every known plugin, optionally of one type: registered first, then discovered.
   *
   * @param type - filter
   * @returns the records
   */
  list(type?: PluginType): PluginRecord[] {
    const all = [...this.fixed.values(), ...this.discovered];
    return type ? all.filter((r) => r.type === type) : all;
  }

  /**
   * The usable plugin of that type and name, or the refused candidate when none is usable.
   *
   * @param type - plugin type
   * @param name - plugin name
   * @returns the record, or undefined when nothing of that name is known
   */
  find(type: PluginType, name: string): PluginRecord | undefined {
    const fixed = this.fixed.get(PluginRegistry.key(type, name));
    if (fixed) return fixed;
    const candidates = this.discovered.filter((r) => r.type === type && r.name === name);
    return candidates.find((r) => r.state === "available") ?? candidates.find((r) => r.state === "refused");
  }

  /**
   * Finds a plugin by name alone, whatever its type.
   *
   * @param name - plugin name
   * @returns the record, or undefined
   */
  findAny(name: string): PluginRecord | undefined {
    return this.find("backend", name) ?? this.find("collector", name);
  }
}
