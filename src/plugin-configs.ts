import type { JsonlConfig } from "./backends/jsonl/jsonl-backend.js";
import type { EnvironmentCollectorConfig } from "./collectors/environment/metadata.js";
import type { GitCollectorConfig } from "./collectors/git/metadata.js";
import type { ProcessCollectorConfig } from "./collectors/process/metadata.js";
import type { SystemCollectorConfig } from "./collectors/system/metadata.js";
import type { RunOptions } from "./core/options.js";

/**
 * The config type of every backend, by plugin name: what `backends` and `plugins` of
 * `startExperiment()` accept. The built-ins are here; a plugin package adds its own from its
 * `.d.ts` by declaration merging, and its users get the name and keys checked and completed:
 *
 * ```ts
 * declare module "tracelet" {
 *   interface BackendConfigs {
 *     csv: { path: string; delimiter?: string };
 *   }
 * }
 * ```
 */
export interface BackendConfigs {
  /** The embedded default backend. */
  jsonl: JsonlConfig;
}

/**
 * The config type of every collector, by plugin name (see {@link BackendConfigs}); every
 * collector also takes `intervalMs`.
 */
export interface CollectorConfigs {
  /** CPU, memory, disk, network, GPU. */
  system: SystemCollectorConfig;
  /** This process: CPU, memory, event loop. */
  process: ProcessCollectorConfig;
  /** The repository's commit, branch and state, as params. */
  git: GitCollectorConfig;
  /** Node, OS, argv and allowed environment variables, as params. */
  environment: EnvironmentCollectorConfig;
}

/**
 * Type-level settings, by declaration merging. A project that registers many plugins by hand
 * and does not want to declare them can turn the name checks off:
 * `declare module "tracelet" { interface TraceletTypeSettings { uncheckedPluginNames: true } }`.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by declaration merging.
export interface TraceletTypeSettings {}

/** The setting that turns the plugin name and config checks off (see {@link TraceletTypeSettings}). */
export interface UncheckedPluginNames {
  /** `true`: any plugin name and config compile. */
  uncheckedPluginNames: true;
}

/** What every collector's config accepts besides its own keys (handled by Tracelet). */
export interface CollectorInterval {
  /** How often the collector samples, ms. */
  intervalMs?: number;
}

/** A backend name that {@link BackendConfigs} declares. */
export type BackendName = TraceletTypeSettings extends UncheckedPluginNames ? string : keyof BackendConfigs & string;

/** A collector name that {@link CollectorConfigs} declares. */
export type CollectorName = TraceletTypeSettings extends UncheckedPluginNames
  ? string
  : keyof CollectorConfigs & string;

/** The `plugins` option: each declared plugin's config, by name. */
export type PluginConfigs = TraceletTypeSettings extends UncheckedPluginNames
  ? Record<string, Record<string, unknown>>
  : { [K in keyof BackendConfigs]?: BackendConfigs[K] } & {
      [K in keyof CollectorConfigs]?: CollectorConfigs[K] & CollectorInterval;
    };

/**
 * {@link RunOptions} with plugin names and configs checked against {@link BackendConfigs} and
 * {@link CollectorConfigs}: `backends: ["jsnol"]` or `plugins: { jsonl: { dirr: "x" } }` do not compile.
 */
export interface TypedRunOptions extends Omit<RunOptions, "backends" | "collectors" | "plugins"> {
  /** Backend plugin names (default `["jsonl"]`). */
  backends?: BackendName[];
  /** Collector plugin names (default none). */
  collectors?: CollectorName[];
  /** Config of each plugin, by plugin name. */
  plugins?: PluginConfigs;
}
