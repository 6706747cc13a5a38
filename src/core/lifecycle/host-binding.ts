import { secretValues } from "../config/redact.js";
import { hookTaps } from "../hooks.js";
import type { BackendInstance, CollectorInstance, PluginInstance } from "../plugin-api.js";
import type { HookName, PluginContext, RunIdentity, Timeouts } from "../types.js";
import { HostLifecycle } from "./host-lifecycle.js";
import type { PluginHostOptions } from "./plugin-host-options.js";
import { DEADLINE_OF, deadlineFor } from "./timeouts.js";

/**
 * The binding half of a plugin's host: the plugin instance (replaced on reload or enable),
 * its validated config and the secret values in it, its deadlines, and the context each of
 * its lifecycle calls receives.
 */
export abstract class HostBinding extends HostLifecycle {
  /** Names of the plugins this one depends on. */
  readonly dependsOn: readonly string[];
  /** The plugin's config schema, if any. */
  readonly configSchema: Record<string, unknown> | undefined;
  /** Secret values of the current config, scrubbed from every message recorded. */
  protected secrets: string[];
  /** Aborts the calls of the current instance (teardown at exit). */
  protected teardown = new AbortController();
  private currentInstance: PluginInstance;
  private currentConfig: Readonly<Record<string, unknown>>;
  private readonly run: RunIdentity;
  private readonly timeouts: Timeouts | undefined;

  /** @param options - the plugin and its surroundings */
  protected constructor(options: PluginHostOptions) {
    super(options.name, options.type, options.logger, options.hooks);
    this.currentInstance = options.instance;
    this.configSchema = options.configSchema;
    this.currentConfig = options.config;
    this.secrets = secretValues(options.configSchema, options.config);
    this.run = options.run;
    this.dependsOn = options.dependsOn ?? [];
    this.timeouts = options.timeouts;
  }

  /** The plugin instance (replaced by a reload). */
  get instance(): PluginInstance {
    return this.currentInstance;
  }

  /** The instance as a backend. */
  get backend(): BackendInstance {
    return this.currentInstance as BackendInstance;
  }

  /** The instance as a collector. */
  get collector(): CollectorInstance {
    return this.currentInstance as CollectorInstance;
  }

  /** Validated, frozen config. */
  get config(): Readonly<Record<string, unknown>> {
    return this.currentConfig;
  }

  set config(config: Readonly<Record<string, unknown>>) {
    this.currentConfig = config;
    this.secrets = secretValues(this.configSchema, config);
    this.notify("config");
  }

  /**
   * Puts a fresh instance in place (reload, enable). The old one must be stopped first.
   *
   * @param instance - the new instance
   */
  replaceInstance(instance: PluginInstance): void {
    this.currentInstance = instance;
    this.teardown = new AbortController();
  }

  /** Whether the plugin implements the lifecycle-aware protocol. */
  get lifecycleAware(): boolean {
    const i = this.currentInstance;
    return typeof i.forceCleanup === "function" || typeof i.getChildPids === "function";
  }

  /**
   * A context for one lifecycle call.
   *
   * @param signal - the call's abort signal
   * @returns name, logger, signal, run identity, hooks
   */
  context(signal: AbortSignal): PluginContext {
    return { name: this.name, logger: this.logger, signal, run: this.run, hooks: hookTaps(this.hooks) };
  }

  /**
   * The deadline of a hook for this plugin: its `perPlugin` override, else the run's.
   *
   * @param hook - the hook
   * @returns ms
   */
  timeoutFor(hook: HookName): number {
    return deadlineFor(this.timeouts ?? {}, this.name, hook);
  }

  /**
   * This plugin's own (`perPlugin`) deadline for a hook, if it has one.
   *
   * @param hook - the hook
   * @returns ms, or undefined when the run's deadline applies
   */
  overrideFor(hook: HookName): number | undefined {
    return this.timeouts?.perPlugin?.[this.name]?.[DEADLINE_OF[hook]];
  }

  /**
   * Aborts every running and future call of the current instance (teardown at exit).
   *
   * @param reason - the abort reason
   */
  abort(reason?: unknown): void {
    this.teardown.abort(reason);
  }
}
