import { TraceletError } from "../errors.js";
import type { PluginState } from "../types.js";

/**
 * The legal transitions of a plugin's state; anything else is refused.
 *
 * ```text
 * available → loaded → initialized → started → stopping → stopped
 *     any active state → failed | disabled;  started → quarantined
 *     stopped | failed | quarantined | disabled → loaded (reload, enable) | available (unload)
 * ```
 */
export const TRANSITIONS: Readonly<Record<PluginState, readonly PluginState[]>> = Object.freeze({
  available: ["loaded", "failed", "disabled"],
  loaded: ["initialized", "failed", "disabled", "stopped", "available"],
  initialized: ["started", "stopping", "failed", "disabled"],
  started: ["stopping", "failed", "quarantined"],
  stopping: ["stopped", "failed"],
  stopped: ["loaded", "available", "disabled"],
  failed: ["stopping", "stopped", "loaded", "available", "disabled"],
  disabled: ["available", "loaded", "stopped"],
  quarantined: ["stopping", "stopped", "loaded", "available", "disabled"],
});

/**
 * Whether a plugin may go from `from` to `to`.
 *
 * @param from - current state
 * @param to - wanted state
 * @returns true when legal
 */
export function canTransition(from: PluginState, to: PluginState): boolean {
  return TRANSITIONS[from].includes(to);
}

/**
 * Checks a transition and throws when it is illegal.
 *
 * @param plugin - plugin name, for the message
 * @param from - current state
 * @param to - wanted state
 * @throws TraceletError `TRACELET_ERR_ILLEGAL_TRANSITION`
 */
export function assertTransition(plugin: string, from: PluginState, to: PluginState): void {
  if (!canTransition(from, to)) {
    throw new TraceletError(
      "TRACELET_ERR_ILLEGAL_TRANSITION",
      `Plugin "${plugin}" cannot go from "${from}" to "${to}".`,
      { details: { plugin, from, to } },
    );
  }
}
