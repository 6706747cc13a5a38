import { createRequire } from "node:module";
import type { AsyncParallelHook, AsyncSeriesHook, SyncHook } from "tapable";
import type { TraceletError } from "./errors.js";
import type { HookName, MetricRecord, PluginState, PluginType, RunIdentity } from "./primitives.js";

// tapable's index loads all twelve hook kinds (and ESM import runs its CommonJS through the export
// lexer); a run uses three, so they are required directly. tapable has no `exports` map to forbid it.
const requireTapable = createRequire(import.meta.url);
const Hooks = {
  SyncHook: requireTapable("tapable/lib/SyncHook.js") as typeof SyncHook,
  AsyncSeriesHook: requireTapable("tapable/lib/AsyncSeriesHook.js") as typeof AsyncSeriesHook,
  AsyncParallelHook: requireTapable("tapable/lib/AsyncParallelHook.js") as typeof AsyncParallelHook,
};

/** What the `collect` hook carries: one collector sample. */
export interface CollectEvent {
  /** The collector's name. */
  plugin: string;
  /** Values by metric name. */
  values: Record<string, number>;
  /** When the sample was taken, ms since the epoch. */
  timestamp: number;
}

/** What the `artifact` hook carries. */
export interface ArtifactEvent {
  /** Absolute path of the file or directory. */
  localPath: string;
  /** Where it goes inside the run. */
  artifactPath: string;
}

/** What the `error` hook carries: one isolated plugin failure. */
export interface ErrorEvent {
  /** The plugin that failed. */
  plugin: string;
  /** The hook that failed. */
  hook: HookName;
  /** The coded error. */
  error: TraceletError;
}

/** What the `stateChange` hook carries. */
export interface StateChangeEvent {
  /** The plugin. */
  plugin: string;
  /** Its type. */
  type: PluginType;
  /** Previous state. */
  from: PluginState;
  /** New state. */
  to: PluginState;
}

/** The typed hooks of one run, frozen. Tap them under your plugin's name. */
export interface TraceletHooks {
  /** Fires once per run while plugins are initialized, in dependency order; each plugin taps it. */
  readonly initialize: AsyncSeriesHook<[RunIdentity]>;
  /** Fires once per run after every plugin initialized, in dependency order. */
  readonly start: AsyncSeriesHook<[RunIdentity]>;
  /** Fires after each collector sample, before the values enter the metric buffer. */
  readonly collect: SyncHook<[CollectEvent]>;
  /** Fires for each batch that leaves the run's buffer; each backend's queue taps it. */
  readonly metrics: SyncHook<[readonly MetricRecord[]]>;
  /** Fires on `logParams`, with the flattened parameters. */
  readonly params: SyncHook<[Readonly<Record<string, unknown>>]>;
  /** Fires on `setTags`. */
  readonly tags: SyncHook<[Readonly<Record<string, string>>]>;
  /** Fires on `logArtifact`; backends store the artifact in parallel. */
  readonly artifact: AsyncParallelHook<[ArtifactEvent]>;
  /** Fires on `flush`, after every queued batch was delivered. */
  readonly flush: AsyncParallelHook<[]>;
  /** Fires once per run at stop, in reverse start order. */
  readonly stop: AsyncSeriesHook<[RunIdentity]>;
  /** Fires for every isolated plugin failure. */
  readonly error: SyncHook<[ErrorEvent]>;
  /** Fires on every plugin state transition. */
  readonly stateChange: SyncHook<[StateChangeEvent]>;
}

/** A tap that threw or rejected: reported, never propagated to the engine or other taps. */
export interface TapErrorEvent {
  /** The tap's name (by convention the plugin's). */
  tap: string;
  /** The hook it was tapped on. */
  hook: string;
  /** What it threw. */
  error: unknown;
}

/** Options of {@link createHooks}. */
export interface CreateHooksOptions {
  /** Receives every failure of a tap (default: ignored). */
  onTapError?: (event: TapErrorEvent) => void;
}

type AnyFn = (...args: unknown[]) => unknown;

// Wraps every tap so that one that throws (sync), rejects (promise) or calls back with an error
// (async) is reported and skipped: the other taps and the engine carry on.
function isolating(hook: string, report: (event: TapErrorEvent) => void) {
  return {
    register(tap: { type: string; name: string; fn: AnyFn }) {
      const fn = tap.fn;
      const fail = (error: unknown) => {
        try {
          report({ tap: tap.name, hook, error });
        } catch {
          // The reporter itself failed; nothing sensible is left to do.
        }
      };
      if (tap.type === "sync") {
        tap.fn = (...args) => {
          try {
            return fn(...args);
          } catch (error) {
            fail(error);
            return undefined;
          }
        };
      } else if (tap.type === "promise") {
        tap.fn = (...args) =>
          new Promise((resolve) => resolve(fn(...args))).then(
            () => undefined,
            (error: unknown) => fail(error),
          );
      } else {
        tap.fn = (...args) => {
          const callback = args.pop() as (error?: unknown) => void;
          try {
            fn(...args, (error?: unknown) => {
              if (error) fail(error);
              callback();
            });
          } catch (error) {
            fail(error);
            callback();
          }
        };
      }
      return tap;
    },
  };
}

/**
 * Builds the frozen hooks object of one run. Every tap is isolated: one that throws or
 * rejects is reported to `onTapError` and skipped; the engine and the other taps carry on.
 *
 * @param options - where tap failures go
 * @returns fresh hooks
 * @example
 * ```ts
 * const hooks = createHooks();
 * hooks.metrics.tap("my-plugin", (batch) => count += batch.length);
 * ```
 */
export function createHooks(options: CreateHooksOptions = {}): TraceletHooks {
  const hooks: TraceletHooks = {
    initialize: new Hooks.AsyncSeriesHook<[RunIdentity]>(["run"]),
    start: new Hooks.AsyncSeriesHook<[RunIdentity]>(["run"]),
    collect: new Hooks.SyncHook<[CollectEvent]>(["event"]),
    metrics: new Hooks.SyncHook<[readonly MetricRecord[]]>(["batch"]),
    params: new Hooks.SyncHook<[Readonly<Record<string, unknown>>]>(["params"]),
    tags: new Hooks.SyncHook<[Readonly<Record<string, string>>]>(["tags"]),
    artifact: new Hooks.AsyncParallelHook<[ArtifactEvent]>(["artifact"]),
    flush: new Hooks.AsyncParallelHook<[]>([]),
    stop: new Hooks.AsyncSeriesHook<[RunIdentity]>(["run"]),
    error: new Hooks.SyncHook<[ErrorEvent]>(["event"]),
    stateChange: new Hooks.SyncHook<[StateChangeEvent]>(["event"]),
  };
  const report = options.onTapError ?? (() => {});
  for (const [name, hook] of Object.entries(hooks)) {
    (hook as { intercept(i: object): void }).intercept(isolating(name, report));
  }
  return Object.freeze(hooks);
}
