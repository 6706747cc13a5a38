import { TraceletError } from "../core/errors.js";
import type { PluginClass, PluginMetadata } from "../core/plugin-api.js";
import type { PluginType } from "../core/types.js";
import { closestName } from "../core/util/did-you-mean.js";
import { type DiscoverOptions, type DiscoveryReport, discover } from "./discovery/discover.js";
import { metadataOf, recordOf } from "./hand-registration.js";
import type { PluginRecord } from "./plugin-record.js";
import { PluginRegistry } from "./registry.js";

/**
 * The catalog half of a {@link PluginManager}: every plugin it knows (discovered in
 * node_modules, built in, registered by hand) and how one is looked up for a run. No plugin
 * code runs here.
 */
export abstract class PluginCatalog {
  /** The project directory discovery starts from. */
  readonly cwd: string;
  private readonly registry = new PluginRegistry();
  private lastReport: DiscoveryReport | undefined;

  /** @param cwd - the project directory */
  protected constructor(cwd: string) {
    this.cwd = cwd;
  }

  /**
   * Scans the project's node_modules for plugin packages. Reads manifests only; runs no
   * plugin code. A bad package never stops discovery of the others.
   *
   * @param options - user-level plugin locations and whether to use the on-disk cache
   * @returns every candidate and every problem
   */
  async discoverPlugins(options: Pick<DiscoverOptions, "userPluginDirs" | "cache"> = {}): Promise<DiscoveryReport> {
    const known = new Map(this.registry.fixedRecords().map((r): [string, string] => [r.name, r.version]));
    // Loaded with the library: a start with a valid cache runs nothing else, and loading a
    // chunk of its own would cost more than the check. The scan and its checks (semver, the
    // manifest validator) load only when a scan is needed (see discover-fresh).
    const report = await discover({ ...options, cwd: this.cwd, known });
    this.registry.setDiscovered(report.plugins);
    this.lastReport = report;
    return report;
  }

  /** The last discovery report, if discovery ran. */
  get discovery(): DiscoveryReport | undefined {
    return this.lastReport;
  }

  /**
   * Every known plugin (discovered, built in, registered), optionally of one type.
   *
   * @param type - filter
   * @returns the records
   */
  listPlugins(type?: PluginType): PluginRecord[] {
    return this.registry.list(type);
  }

  /**
   * One plugin by type and name.
   *
   * @param type - plugin type
   * @param name - plugin name
   * @returns the record, or undefined
   */
  getPlugin(type: PluginType, name: string): PluginRecord | undefined {
    return this.registry.find(type, name);
  }

  /**
   * Registers a class by hand. Its metadata comes from the argument, a static `metadata`, or
   * `getMetadata()`.
   *
   * @param cls - the plugin class
   * @param metadata - name, type and the rest
   * @returns the record
   * @throws TraceletError `TRACELET_ERR_MANIFEST_INVALID` without a name and type
   */
  registerPlugin(cls: PluginClass, metadata?: Partial<PluginMetadata>): PluginRecord {
    const record = recordOf(async () => cls, metadataOf(cls, metadata), "registered");
    this.registry.add(record);
    return record;
  }

  /**
   * Registers a plugin whose class is imported only when a run activates it (how the
   * built-ins keep start-up cheap).
   *
   * @param metadata - complete metadata
   * @param load - imports the class
   * @returns the record
   */
  registerLazyPlugin(metadata: PluginMetadata, load: () => Promise<PluginClass>): PluginRecord {
    let cached: Promise<PluginClass> | undefined;
    const record = recordOf(
      () => {
        cached ??= load();
        return cached;
      },
      metadata,
      "builtin",
    );
    this.registry.add(record);
    return record;
  }

  /**
   * The usable plugin of that name, for a run; refused ones throw their refusal's code.
   *
   * @param name - plugin name
   * @param type - expected type
   * @returns the record
   * @throws TraceletError the refusal's code, or `TRACELET_ERR_PLUGIN_NOT_FOUND`
   */
  resolve(name: string, type?: PluginType): PluginRecord {
    const record = type ? this.registry.find(type, name) : this.registry.findAny(name);
    if (!record) {
      const suggestion = closestName(
        name,
        this.registry.list(type).map((r) => r.name),
      );
      const hint = suggestion ? ` Did you mean "${suggestion}"?` : "";
      throw new TraceletError(
        "TRACELET_ERR_PLUGIN_NOT_FOUND",
        `No ${type ?? "plugin"} named "${name}" is known.${hint}`,
        {
          details: { plugin: name, type, ...(suggestion ? { suggestion } : {}) },
        },
      );
    }
    if (record.state === "refused" && record.problem) {
      throw new TraceletError(record.problem.code, record.problem.message, {
        details: { plugin: name, package: record.packageName },
      });
    }
    return record;
  }
}
