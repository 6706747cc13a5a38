import { TraceletError } from "../errors.js";
import type { HookName, PluginTimeouts, Timeouts } from "../types.js";

/** Default deadlines, in ms. */
export const DEFAULT_TIMEOUTS: Readonly<Required<Timeouts>> = Object.freeze({
  initialize: 10_000,
  start: 10_000,
  collect: 10_000,
  flush: 10_000,
  stop: 10_000,
  shutdown: 30_000,
  perPlugin: Object.freeze({}) as Record<string, PluginTimeouts>,
});

/** Which deadline bounds each hook: data deliveries share the `flush` deadline. */
export const DEADLINE_OF: Readonly<Record<HookName, keyof PluginTimeouts>> = Object.freeze({
  load: "initialize",
  initialize: "initialize",
  start: "start",
  collect: "collect",
  logMetrics: "flush",
  logParams: "flush",
  logArtifact: "flush",
  setTags: "flush",
  flush: "flush",
  stop: "stop",
  configUpdate: "initialize",
});

const KEYS = ["initialize", "start", "collect", "flush", "stop", "shutdown"] as const;

function checkMs(where: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== "number" || Number.isNaN(value) || value <= 0) {
    throw new TraceletError("TRACELET_ERR_OPTION_INVALID", `timeouts${where} must be a positive number of ms.`, {
      details: { option: `timeouts${where}` },
    });
  }
}

/**
 * Merges deadlines over the defaults (later layers win, `perPlugin` merged per plugin and hook)
 * and checks them.
 *
 * @param layers - e.g. the manager's, then the run's
 * @returns complete deadlines
 * @throws TraceletError `TRACELET_ERR_OPTION_INVALID` for a value that is not a positive number
 */
export function resolveTimeouts(...layers: Array<Timeouts | undefined>): Required<Timeouts> {
  const out: Required<Timeouts> = { ...DEFAULT_TIMEOUTS, perPlugin: {} };
  for (const layer of layers) {
    if (!layer) continue;
    for (const key of KEYS) {
      checkMs(`.${key}`, layer[key]);
      if (layer[key] !== undefined) out[key] = layer[key] as number;
    }
    for (const [plugin, own] of Object.entries(layer.perPlugin ?? {})) {
      for (const [key, ms] of Object.entries(own ?? {})) checkMs(`.perPlugin.${plugin}.${key}`, ms);
      out.perPlugin[plugin] = { ...out.perPlugin[plugin], ...own };
    }
  }
  return out;
}

/**
 * The deadline of one hook call of one plugin: its own override, else the global one.
 *
 * @param timeouts - resolved deadlines
 * @param plugin - plugin name
 * @param hook - the hook
 * @returns ms
 */
export function deadlineFor(timeouts: Timeouts, plugin: string, hook: HookName): number {
  const key = DEADLINE_OF[hook];
  return timeouts.perPlugin?.[plugin]?.[key] ?? timeouts[key] ?? DEFAULT_TIMEOUTS[key];
}
