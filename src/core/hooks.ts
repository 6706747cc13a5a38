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

/**
 * The typed hooks of one run as the engine holds them: only Tracelet fires them. Plugins and
 * users get {@link HookTaps}, a view of the same hooks on which they can only tap.
 */
export interface TraceletHooks {
  /** See {@link HookTaps.initialize}. */
  readonly initialize: AsyncSeriesHook<[RunIdentity]>;
  /** See {@link HookTaps.start}. */
  readonly start: AsyncSeriesHook<[RunIdentity]>;
  /** See {@link HookTaps.collect}. */
  readonly collect: SyncHook<[CollectEvent]>;
  /** See {@link HookTaps.metrics}. */
  readonly metrics: SyncHook<[readonly MetricRecord[]]>;
  /** See {@link HookTaps.params}. */
  readonly params: SyncHook<[Readonly<Record<string, unknown>>]>;
  /** See {@link HookTaps.tags}. */
  readonly tags: SyncHook<[Readonly<Record<string, string>>]>;
  /** See {@link HookTaps.artifact}. */
  readonly artifact: AsyncParallelHook<[ArtifactEvent]>;
  /** See {@link HookTaps.flush}. */
  readonly flush: AsyncParallelHook<[]>;
  /** See {@link HookTaps.stop}. */
  readonly stop: AsyncSeriesHook<[RunIdentity]>;
  /** See {@link HookTaps.error}. */
  readonly error: SyncHook<[ErrorEvent]>;
  /** See {@link HookTaps.stateChange}. */
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

/** A synchronous hook as an observer sees it: it can tap, never fire. */
export interface SyncHookTap<T extends unknown[]> {
  /**
   * Adds an observer, called with read-only (frozen) arguments each time Tracelet fires the hook.
   *
   * @param options - the tap's name (by convention the plugin's), or `{ name, stage?, before? }`
   * @param fn - the observer; what it returns is ignored, what it throws is reported and skipped
   */
  tap(options: string | { name: string; stage?: number; before?: string | string[] }, fn: (...args: T) => void): void;
  /** Whether anything taps the hook. */
  isUsed(): boolean;
}

/** An asynchronous hook as an observer sees it: it can tap, never fire. */
export interface AsyncHookTap<T extends unknown[]> extends SyncHookTap<T> {
  /**
   * Adds an observer that returns a promise; Tracelet waits for it (within the hook's deadline).
   *
   * @param options - the tap's name, or `{ name, stage?, before? }`
   * @param fn - the observer
   */
  tapPromise(
    options: string | { name: string; stage?: number; before?: string | string[] },
    fn: (...args: T) => Promise<unknown>,
  ): void;
  /**
   * Adds an observer that calls back when done.
   *
   * @param options - the tap's name, or `{ name, stage?, before? }`
   * @param fn - the observer; its last argument is the callback
   */
  tapAsync(
    options: string | { name: string; stage?: number; before?: string | string[] },
    fn: (...args: [...T, (error?: Error | null) => void]) => void,
  ): void;
}

/**
 * The run's hooks as plugins (`context.hooks`) and users (`exp.hooks`) get them, frozen: each hook
 * can be tapped, never called, so no plugin can put points, params or tags into the run or forge
 * a failure through them; every observer receives frozen copies, so none can change what the
 * backends or the other observers receive.
 */
export interface HookTaps {
  /** Fires once per run while plugins are initialized, in dependency order; each plugin taps it. */
  readonly initialize: AsyncHookTap<[RunIdentity]>;
  /** Fires once per run after every plugin initialized, in dependency order. */
  readonly start: AsyncHookTap<[RunIdentity]>;
  /** Fires after each collector sample, before the values enter the metric buffer. */
  readonly collect: SyncHookTap<[CollectEvent]>;
  /** Fires for each batch that leaves the run's buffer (a frozen copy: backends get theirs directly). */
  readonly metrics: SyncHookTap<[readonly MetricRecord[]]>;
  /** Fires on `logParams`, with the flattened parameters. */
  readonly params: SyncHookTap<[Readonly<Record<string, unknown>>]>;
  /** Fires on `setTags`. */
  readonly tags: SyncHookTap<[Readonly<Record<string, string>>]>;
  /** Fires on `logArtifact`; backends store the artifact in parallel. */
  readonly artifact: AsyncHookTap<[ArtifactEvent]>;
  /** Fires on `flush`, after every queued batch was delivered. */
  readonly flush: AsyncHookTap<[]>;
  /** Fires once per run at stop, in reverse start order. */
  readonly stop: AsyncHookTap<[RunIdentity]>;
  /** Fires for every isolated plugin failure. */
  readonly error: SyncHookTap<[ErrorEvent]>;
  /** Fires on every plugin state transition. */
  readonly stateChange: SyncHookTap<[StateChangeEvent]>;
}

const views = new WeakMap<TraceletHooks, HookTaps>();

/**
 * The tap-only view of a run's hooks (one per hooks object, so it compares equal each time).
 *
 * @param hooks - the engine's hooks
 * @returns the frozen view
 */
export function hookTaps(hooks: TraceletHooks): HookTaps {
  let view = views.get(hooks);
  if (view) return view;
  const entries = Object.entries(hooks).map(([name, hook]) => [name, tapOnly(hook as AnyHook)] as const);
  view = Object.freeze(Object.fromEntries(entries)) as unknown as HookTaps;
  views.set(hooks, view);
  return view;
}

type TapOptions = string | { name: string; stage?: number; before?: string | string[] };
interface AnyHook {
  tap(options: TapOptions, fn: AnyFn): void;
  tapAsync?(options: TapOptions, fn: AnyFn): void;
  tapPromise?(options: TapOptions, fn: AnyFn): void;
  isUsed(): boolean;
}

function tapOnly(hook: AnyHook): object {
  const view: Record<string, unknown> = {
    tap: (options: TapOptions, fn: AnyFn) => hook.tap(options, (...args) => fn(...args.map(readOnly))),
    isUsed: () => hook.isUsed(),
  };
  if (hook.tapPromise) {
    const tapPromise = hook.tapPromise.bind(hook);
    view.tapPromise = (options: TapOptions, fn: AnyFn) => tapPromise(options, (...args) => fn(...args.map(readOnly)));
  }
  if (hook.tapAsync) {
    const tapAsync = hook.tapAsync.bind(hook);
    view.tapAsync = (options: TapOptions, fn: AnyFn) =>
      tapAsync(options, (...args) => {
        const callback = args.pop();
        return fn(...args.map(readOnly), callback);
      });
  }
  return Object.freeze(view);
}

// What an observer receives: the value itself when nothing in it can be changed (primitives, and
// what the engine already froze all the way down), else a frozen copy. Errors are passed as they
// are (their class matters).
function readOnly(value: unknown): unknown {
  if (typeof value !== "object" || value === null || value instanceof Error) return value;
  if (Array.isArray(value)) {
    let same = Object.isFrozen(value);
    const items = value.map((v) => {
      const r = readOnly(v);
      if (r !== v) same = false;
      return r;
    });
    return same ? value : Object.freeze(items);
  }
  let same = Object.isFrozen(value);
  const copy: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const r = readOnly(v);
    if (r !== v) same = false;
    copy[k] = r;
  }
  return same ? value : Object.freeze(copy);
}
