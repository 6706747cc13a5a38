import { collectorSchema } from "../../core/config/collector-schema.js";
import { validateConfig } from "../../core/config/config-validator.js";
import type { TraceletHooks } from "../../core/hooks.js";
import { PluginHost } from "../../core/lifecycle/plugin-host.js";
import type { Logger } from "../../core/logger.js";
import type { RunIdentity, Timeouts } from "../../core/types.js";
import { instantiate } from "./instantiate.js";
import type { PluginRecord } from "./plugin-record.js";
import { pluginLogger } from "./redaction-paths.js";

/** What every plugin of one run shares. */
export interface RunContext {
  /** The run's identity. */
  identity: RunIdentity;
  /** The run's hooks. */
  hooks: TraceletHooks;
  /** The root logger. */
  logger: Logger;
  /** The run's deadlines (with `perPlugin`). */
  timeouts: Timeouts;
  /** Failures in a row before quarantine. */
  quarantineAfter?: number;
  /** The "run" is `tracelet sync` replaying a spool: the plugin's context says `replay`. */
  replay?: boolean;
}

/**
 * The schema a plugin's config is validated with: its own, plus `intervalMs` for collectors.
 *
 * @param record - the plugin
 * @returns the schema, or undefined when the plugin has none (a backend without schema)
 */
export function effectiveSchema(record: PluginRecord): Record<string, unknown> | undefined {
  return record.type === "collector" ? collectorSchema(record.configSchema) : record.configSchema;
}

/**
 * Validates a plugin's config against its schema.
 *
 * @param record - the plugin
 * @param config - the user's config
 * @returns the validated, defaulted, frozen config
 * @throws TraceletError `TRACELET_ERR_CONFIG_INVALID`, `TRACELET_ERR_SCHEMA_INVALID`
 */
export function validatePluginConfig(record: PluginRecord, config: unknown): Readonly<Record<string, unknown>> {
  return validateConfig(record.name, effectiveSchema(record), config);
}

/**
 * Activates one plugin for a run: validates its config, imports and constructs its class,
 * and wraps it in a {@link PluginHost} (state `loaded`).
 *
 * @param record - the plugin
 * @param config - the user's config
 * @param run - what the run's plugins share
 * @returns the host
 * @throws TraceletError `TRACELET_ERR_CONFIG_INVALID`, `TRACELET_ERR_SCHEMA_INVALID`,
 *   `TRACELET_ERR_LOAD_FAILED`
 */
export async function activatePlugin(record: PluginRecord, config: unknown, run: RunContext): Promise<PluginHost> {
  const validated = validatePluginConfig(record, config);
  const instance = await instantiate(record);
  const schema = effectiveSchema(record);
  // The logger hides the secret values of the host's current config (it may be reconfigured).
  // (Read through a variable assigned after construction: the host may log while being built.)
  let host: PluginHost | undefined;
  host = new PluginHost({
    name: record.name,
    type: record.type,
    instance,
    config: validated,
    configSchema: schema,
    logger: pluginLogger(run.logger, record.name, schema, () => host?.config ?? validated),
    run: run.identity,
    hooks: run.hooks,
    dependsOn: Object.keys(record.dependencies ?? {}),
    quarantineAfter: run.quarantineAfter,
    timeouts: run.timeouts,
    replay: run.replay,
  });
  return host;
}
