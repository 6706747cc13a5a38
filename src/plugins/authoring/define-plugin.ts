import { deliverOneByOne } from "../../core/data/deliver-batch.js";
import {
  type BackendInstance,
  type BackendMethods,
  type CollectorInstance,
  type CollectorMethods,
  type MaybePromise,
  PLUGIN_METHODS,
  type PluginClass,
  type PluginLifecycle,
  type PluginMetadata,
} from "../../core/plugin-api.js";
import type { MetricRecord, PluginContext, PluginType } from "../../core/types.js";
import type { ConfigSchema, FromSchema } from "./from-schema.js";

/** What a backend's `setup` returns: the backend contract (see `BackendInstance`). */
export interface BackendHandlers<C> extends PluginLifecycle<C>, BackendMethods {}

/** What a collector's `setup` returns: the collector contract (see `CollectorInstance`). */
export interface CollectorHandlers<C> extends PluginLifecycle<C>, CollectorMethods {}

/** The handlers of a plugin of type `T`. */
export type HandlersOf<T extends PluginType, C> = T extends "backend" ? BackendHandlers<C> : CollectorHandlers<C>;

/** The argument of {@link definePlugin}. */
export interface PluginDefinition<S extends ConfigSchema, T extends PluginType>
  extends Omit<PluginMetadata, "type" | "configSchema"> {
  /** `"backend"` or `"collector"`. */
  type: T;
  /** The config's JSON Schema; its literal type gives `setup` its config type. */
  configSchema: S;
  /**
   * Builds the plugin from its validated, defaulted, frozen config (it replaces `initialize`;
   * `onConfigUpdate` among the handlers gets the typed config), synchronously or not.
   */
  setup(
    config: Readonly<FromSchema<S>>,
    context: PluginContext,
  ): HandlersOf<T, FromSchema<S>> | Promise<HandlersOf<T, FromSchema<S>>>;
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
  // The methods every instance has from construction (the registry checks `logMetric` or
  // `collect` before initialize); every other method of the contract is bound in `initialize`
  // when the handlers have it, so that optional ones (`params`, `hasPeriodicSamples`...) exist
  // only when implemented, as on a class.
  class DefinedPlugin implements BackendInstance, CollectorInstance {
    static readonly metadata = metadata;
    static readonly definition = definition;
    #h: Partial<H> = {};

    async initialize(config: Readonly<Record<string, unknown>>, context: PluginContext): Promise<void> {
      const setup = definition.setup as (c: unknown, x: PluginContext) => MaybePromise<Partial<H>>;
      this.#h = (await setup(config, context)) ?? {};
      const self = this as unknown as Record<string, unknown>;
      for (const key of PLUGIN_METHODS) {
        const fn = (this.#h as Record<string, unknown>)[key];
        if (!(key in DefinedPlugin.prototype) && typeof fn === "function") self[key] = fn.bind(this.#h);
      }
    }
    getStatus(): Record<string, unknown> {
      return this.#h.getStatus?.() ?? {};
    }
    logMetric(...args: Parameters<BackendInstance["logMetric"]>): MaybePromise<void> {
      return this.#h.logMetric?.(...args);
    }
    logMetrics(batch: MetricRecord[]): MaybePromise<void> {
      return this.#h.logMetrics ? this.#h.logMetrics(batch) : deliverOneByOne(this, batch);
    }
    collect(): MaybePromise<Record<string, number>> {
      return this.#h.collect?.() ?? {};
    }
  }
  Object.defineProperty(DefinedPlugin, "name", { value: `${definition.name}Plugin` });
  return DefinedPlugin as unknown as DefinedPluginClass<S, T>;
}
