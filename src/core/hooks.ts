import { AsyncParallelHook, AsyncSeriesHook, SyncHook } from "tapable";
import type { TraceletError } from "./errors.js";
import type { HookName, MetricRecord, PluginState, PluginType, RunIdentity } from "./types.js";

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

/**
 * Builds the frozen hooks object of one run.
 *
 * @returns fresh hooks
 * @example
 * ```ts
 * const hooks = createHooks();
 * hooks.metrics.tap("my-plugin", (batch) => count += batch.length);
 * ```
 */
export function createHooks(): TraceletHooks {
  return Object.freeze({
    initialize: new AsyncSeriesHook<[RunIdentity]>(["run"]),
    start: new AsyncSeriesHook<[RunIdentity]>(["run"]),
    collect: new SyncHook<[CollectEvent]>(["event"]),
    metrics: new SyncHook<[readonly MetricRecord[]]>(["batch"]),
    params: new SyncHook<[Readonly<Record<string, unknown>>]>(["params"]),
    tags: new SyncHook<[Readonly<Record<string, string>>]>(["tags"]),
    artifact: new AsyncParallelHook<[ArtifactEvent]>(["artifact"]),
    flush: new AsyncParallelHook<[]>([]),
    stop: new AsyncSeriesHook<[RunIdentity]>(["run"]),
    error: new SyncHook<[ErrorEvent]>(["event"]),
    stateChange: new SyncHook<[StateChangeEvent]>(["event"]),
  });
}
