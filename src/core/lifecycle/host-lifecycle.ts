import type { Logger } from "pino";
import type { TraceletHooks } from "../hooks.js";
import type { PluginState, PluginType } from "../types.js";
import type { HostChange, HostChangeListener } from "./plugin-host-options.js";
import { assertTransition } from "./state-machine.js";

/**
 * The lifecycle half of a plugin's host: its state, its legal transitions (each fired on the
 * run's `stateChange` hook), and in-process listeners told of every state or config change
 * (how a run reschedules a collector that was enabled, reloaded or reconfigured).
 */
export abstract class HostLifecycle {
  /** Plugin name. */
  readonly name: string;
  /** Plugin type. */
  readonly type: PluginType;
  /** The plugin's child logger. */
  readonly logger: Logger;
  /** The run's hooks. */
  protected readonly hooks: TraceletHooks;
  private currentState: PluginState = "loaded";
  private readonly listeners = new Set<HostChangeListener>();

  /**
   * @param name - plugin name
   * @param type - plugin type
   * @param logger - the plugin's child logger
   * @param hooks - the run's hooks
   */
  protected constructor(name: string, type: PluginType, logger: Logger, hooks: TraceletHooks) {
    this.name = name;
    this.type = type;
    this.logger = logger;
    this.hooks = hooks;
  }

  /** The current lifecycle state. */
  get state(): PluginState {
    return this.currentState;
  }

  /** Whether the plugin should still receive calls. */
  get active(): boolean {
    const s = this.currentState;
    return s === "started" || s === "initialized" || s === "stopping";
  }

  /**
   * Moves to a new state, refusing illegal transitions, and fires `stateChange`.
   *
   * @param to - the new state
   * @throws TraceletError `TRACELET_ERR_ILLEGAL_TRANSITION`
   */
  transition(to: PluginState): void {
    const from = this.currentState;
    if (from === to) return;
    assertTransition(this.name, from, to);
    this.currentState = to;
    this.safely("stateChange", () => this.hooks.stateChange.call({ plugin: this.name, type: this.type, from, to }));
    this.notify("state");
  }

  /**
   * Registers a listener told, after the fact, of every state transition and config change.
   * A throwing listener is logged and the others still run.
   *
   * @param listener - receives `"state"` or `"config"`
   * @returns a function that removes the listener
   * @example
   * ```ts
   * const off = host.onChange((change) => change === "config" && reschedule(host));
   * off();
   * ```
   */
  onChange(listener: HostChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Tells the listeners of a change.
   *
   * @param change - what changed
   */
  protected notify(change: HostChange): void {
    for (const listener of [...this.listeners]) this.safely(`change:${change}`, () => listener(change));
  }

  /**
   * Runs a tap or listener; a throw is logged, never propagated.
   *
   * @param hook - what is run, for the log line
   * @param fn - the tap
   */
  protected safely(hook: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      // A throwing tap must not break the engine; it is reported and the run goes on.
      this.logger.error({ hook, err: error instanceof Error ? error.message : String(error) }, "a hook tap threw");
    }
  }
}
