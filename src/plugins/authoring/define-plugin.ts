import type { ExecutionMode, PluginClass, PluginInstance, PluginMetadata } from "../../core/plugin-api.js";
import type { RunEnd } from "../../core/run-end.js";
import type { MetricRecord, PluginContext, PluginType } from "../../core/types.js";
import type { ConfigSchema, FromSchema } from "./from-schema.js";

/** A value, or a promise of it. */
export type MaybePromise<T> = T | Promise<T>;

/** What every defined plugin's `setup` may return. */
export interface PluginHandlers<C> {
  /** Starts the plugin's work. */
  start?(): MaybePromise<void>;
  /** Stops it; `end` says how the run ended (absent after a `tracelet sync` replay). */
  stop?(end?: RunEnd): MaybePromise<void>;
  /** Its own status. */
  getStatus?(): Record<string, unknown>;
  /** Takes a new config in place (hot update); without it an update re-runs `setup`. */
  onConfigUpdate?(config: Readonly<C>): MaybePromise<void>;
  /** Lifecycle-aware protocol: where the work runs. */
  getExecutionMode?(): ExecutionMode;
  /** Lifecycle-aware protocol: child processes owned. */
  getChildPids?(): number[];
  /** Lifecycle-aware protocol: other resources owned. */
  getManagedResources?(): Record<string, unknown>;
  /** Lifecycle-aware protocol: synchronous last-resort cleanup. */
  forceCleanup?(): void;
}

/** What a backend's `setup` returns. */
export interface BackendHandlers<C> extends PluginHandlers<C> {
  /** Receives one point. */
  logMetric(name: string, value: number, step?: number): MaybePromise<void>;
  /** Receives a batch (default: one `logMetric` per point). */
  logMetrics?(batch: MetricRecord[]): MaybePromise<void>;
  /** Receives params. */
  logParams?(params: Record<string, unknown>): MaybePromise<void>;
  /** Receives an artifact. */
  logArtifact?(localPath: string, artifactPath?: string): MaybePromise<void>;
  /** Receives tags. */
  setTags?(tags: Record<string, string>): MaybePromise<void>;
  /** Makes what was received durable. */
  flush?(): MaybePromise<void>;
}

/** What a collector's `setup` returns. */
export interface CollectorHandlers<C> extends PluginHandlers<C> {
  /** Samples once. */
  collect(): MaybePromise<Record<string, number>>;
}

/** The handlers of a plugin of type `T`. */
export type HandlersOf<T extends PluginType, C> = T extends "backend" ? BackendHandlers<C> : CollectorHandlers<C>;

/** The argument of {@link definePlugin}. */
export interface PluginDefinition<S extends ConfigSchema, T extends PluginType>
  extends Omit<PluginMetadata, "type" | "configSchema"> {
  /** `"backend"` or `"collector"`. */
  type: T;
  /** The config's JSON Schema; its literal type gives `setup` its config type. */
  configSchema: S;
  /** Builds the plugin from its validated, defaulted, frozen config. */
  setup(config: Readonly<FromSchema<S>>, context: PluginContext): MaybePromise<HandlersOf<T, FromSchema<S>>>;
}

/** The static metadata of a class made by `definePlugin`. */
export interface DefinedPluginMetadata<S extends ConfigSchema, T extends PluginType> extends PluginMetadata {
  /** `"backend"` or `"collector"`, as a literal type. */
  type: T;
  /** The config schema, as a literal type. */
  configSchema: S & Record<string, unknown>;
}

/** The class `definePlugin` returns: registrable by hand, carries its static metadata. */
export interface DefinedPluginClass<S extends ConfigSchema, T extends PluginType> extends PluginClass {
  /** Static metadata (name, type, schema...). */
  readonly metadata: DefinedPluginMetadata<S, T>;
  /** The definition (its `setup`). */
  readonly definition: PluginDefinition<S, T>;
}

/** The config type of a plugin made by {@link definePlugin}. */
export type PluginConfig<P> = P extends DefinedPluginClass<infer S, PluginType> ? Readonly<FromSchema<S>> : never;

const OPTIONAL = ["onConfigUpdate", "getChildPids", "getManagedResources", "forceCleanup", "getExecutionMode"] as const;

/**
 * Defines a plugin from a JSON Schema and a `setup` function; the config type of `setup` is
 * inferred from the schema literal (no `as const` needed when the schema is written inline; a
 * schema kept in a variable needs `as const`, else its types widen to `string`). Returns a
 * class, to register by hand (`manager.registerPlugin(Cls)`) or export from a plugin package.
 * The schema is still enforced at run time by ajv, including keywords the types ignore.
 *
 * @param definition - metadata, `configSchema`, `setup`
 * @returns the plugin class
 * @example
 * ```ts
 * export const Printer = definePlugin({
 *   name: "printer",
 *   type: "backend",
 *   configSchema: { type: "object", properties: { prefix: { type: "string", default: ">" } } },
 *   setup: (config, { logger }) => ({
 *     logMetric: (name, value) => logger.info(`${config.prefix} ${name}=${value}`),
 *   }),
 * });
 * ```
 */
export function definePlugin<const S extends ConfigSchema, const T extends PluginType>(
  definition: PluginDefinition<S, T>,
): DefinedPluginClass<S, T> {
  const { setup: _setup, ...rest } = definition;
  const metadata = Object.freeze({ ...rest, configSchema: definition.configSchema }) as DefinedPluginMetadata<S, T>;
  type H = BackendHandlers<unknown> & CollectorHandlers<unknown>;
  class DefinedPlugin implements PluginInstance {
    static readonly metadata = metadata;
    static readonly definition = definition;
    #h: Partial<H> = {};

    async initialize(config: Readonly<Record<string, unknown>>, context: PluginContext): Promise<void> {
      const setup = definition.setup as (c: unknown, x: PluginContext) => MaybePromise<Partial<H>>;
      this.#h = (await setup(config, context)) ?? {};
      const self = this as unknown as Record<string, unknown>;
      for (const key of OPTIONAL) {
        const fn = this.#h[key];
        if (typeof fn === "function") self[key] = fn.bind(this.#h);
      }
    }
    start(): MaybePromise<void> {
      return this.#h.start?.();
    }
    stop(end?: RunEnd): MaybePromise<void> {
      return this.#h.stop?.(end);
    }
    getStatus(): Record<string, unknown> {
      return this.#h.getStatus?.() ?? {};
    }
    logMetric(name: string, value: number, step?: number): MaybePromise<void> {
      return this.#h.logMetric?.(name, value, step);
    }
    async logMetrics(batch: MetricRecord[]): Promise<void> {
      if (this.#h.logMetrics) return this.#h.logMetrics(batch);
      for (const p of batch) await this.#h.logMetric?.(p.name, p.value, p.step);
    }
    logParams(params: Record<string, unknown>): MaybePromise<void> {
      return this.#h.logParams?.(params);
    }
    logArtifact(localPath: string, artifactPath?: string): MaybePromise<void> {
      return this.#h.logArtifact?.(localPath, artifactPath);
    }
    setTags(tags: Record<string, string>): MaybePromise<void> {
      return this.#h.setTags?.(tags);
    }
    flush(): MaybePromise<void> {
      return this.#h.flush?.();
    }
    collect(): MaybePromise<Record<string, number>> {
      return this.#h.collect?.() ?? {};
    }
  }
  Object.defineProperty(DefinedPlugin, "name", { value: `${definition.name}Plugin` });
  return DefinedPlugin as unknown as DefinedPluginClass<S, T>;
}
