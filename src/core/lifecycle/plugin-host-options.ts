import type { Logger } from "pino";
import type { TraceletError } from "../errors.js";
import type { TraceletHooks } from "../hooks.js";
import type { PluginInstance } from "../plugin-api.js";
import type { PluginType, RunIdentity, Timeouts } from "../types.js";

/** Everything a {@link PluginHost} needs about its plugin. */
export interface PluginHostOptions {
  /** Plugin name. */
  name: string;
  /** Plugin type. */
  type: PluginType;
  /** The plugin instance. */
  instance: PluginInstance;
  /** Validated, frozen config. */
  config: Readonly<Record<string, unknown>>;
  /** The plugin's config schema: tells which config values are secrets to scrub. */
  configSchema?: Record<string, unknown>;
  /** The plugin's child logger. */
  logger: Logger;
  /** The run's identity. */
  run: RunIdentity;
  /** The run's hooks (for `error` and `stateChange`). */
  hooks: TraceletHooks;
  /** Names of the plugins this one depends on. */
  dependsOn?: readonly string[];
  /** Failures in a row before quarantine (default {@link DEFAULT_QUARANTINE_AFTER}). */
  quarantineAfter?: number;
  /** The run's deadlines; `perPlugin[name]` overrides the deadline a caller passes. */
  timeouts?: Timeouts;
}

/** Failures in a row after which a started plugin is quarantined, by default. */
export const DEFAULT_QUARANTINE_AFTER = 5;

/** The result of one isolated plugin call. */
export type CallResult<T> = { ok: true; value: T } | { ok: false; error: TraceletError };

/** What changed on a host: its lifecycle state, or its config (reload, hot update, stored update). */
export type HostChange = "state" | "config";

/** Told of every {@link HostChange} of a host, after the change. */
export type HostChangeListener = (change: HostChange) => void;
