import type { PluginHost } from "../../core/lifecycle/plugin-host.js";
import { type PluginOpResult, resultOf } from "./host-control.js";

/**
 * Applies a validated config to a loaded plugin: a plugin that is not running keeps it for
 * its next start (`"stored"`); a started one implementing `onConfigUpdate(config)` takes it in
 * place (`"hot"`; if that call fails the old config is put back); any other started plugin is
 * re-created and re-initialized with it (`"reinitialized"`, through `reload`).
 *
 * @param host - the plugin
 * @param next - the validated, frozen config
 * @param reload - re-creates the plugin with the new config
 * @returns the result with its `mode`
 */
export async function applyConfig(
  host: PluginHost,
  next: Readonly<Record<string, unknown>>,
  reload: () => Promise<PluginOpResult>,
): Promise<PluginOpResult> {
  if (host.state !== "started") {
    host.config = next;
    return { ...resultOf(host, true), mode: "stored" };
  }
  const hot = host.instance.onConfigUpdate;
  if (typeof hot !== "function") return { ...(await reload()), mode: "reinitialized" };
  const previous = host.config;
  host.config = next;
  const outcome = await host.call("configUpdate", host.timeoutFor("configUpdate"), () => hot.call(host.instance, next));
  if (!outcome.ok) host.config = previous;
  return { ...resultOf(host, outcome.ok), mode: "hot" };
}
