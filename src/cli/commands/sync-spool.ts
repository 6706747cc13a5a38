import { basename } from "node:path";
import type { Logger } from "pino";
import { validateConfig } from "../../core/config/config-validator.js";
import { scrubError, scrubText, secretValues } from "../../core/config/redact.js";
import { type FoundSpool, replaySpool } from "../../core/data/replay-spool.js";
import { isTraceletError, TraceletError } from "../../core/errors.js";
import { createHooks, hookTaps } from "../../core/hooks.js";
import type { BackendInstance } from "../../core/plugin-api.js";
import { spoolIdentity } from "../../core/spool-identity.js";
import type { PluginManager } from "../../plugin-manager.js";
import { pluginLogger } from "../../plugins/registry/redaction-paths.js";
import { BoundedBackend } from "./sync-backend.js";

/**
 * The backend a spool belongs to: the plugin its `backend.json` names, else its directory's
 * name (the engine names the directory after the backend, URI-encoded).
 *
 * @param spool - a spool found in a run directory
 * @returns the backend's name
 */
export function spoolBackend(spool: FoundSpool): string {
  const named = (spool.meta as { plugin?: unknown } | undefined)?.plugin;
  if (typeof named === "string") return named;
  try {
    return decodeURIComponent(basename(spool.dir));
  } catch {
    return basename(spool.dir);
  }
}

/** What {@link replayOneSpool} needs besides the spool. */
export interface ReplayOneOptions {
  /** The absolute run directory being synced (the identity's `runDir`, whatever the spool says). */
  runDir: string;
  /** Config values added to the spooled config (`--config`). */
  extra: Record<string, unknown>;
  /** Deadline of each backend call, ms. */
  timeoutMs: number;
  /** Resolves the backend's plugin. */
  manager: PluginManager;
  /** The root logger. */
  logger: Logger;
}

/**
 * Replays one spool into a fresh instance of its backend, in this process, and prints one line
 * saying what was delivered or why not. The identity in `backend.json` is checked first (no
 * plugin code runs for a forged one); the backend is told it is a replay (`context.replay`) so
 * it records no new status for the run, and its logger hides the values of its secrets.
 *
 * @param spool - the spool
 * @param options - run directory, extra config, deadline, manager, logger
 * @returns true when everything was delivered
 */
export async function replayOneSpool(spool: FoundSpool, options: ReplayOneOptions): Promise<boolean> {
  const name = spoolBackend(spool);
  let secrets: string[] = [];
  try {
    const meta = spool.meta;
    const spooledConfig = (meta as { config?: unknown } | undefined)?.config ?? {};
    if (!meta || typeof spooledConfig !== "object" || spooledConfig === null || Array.isArray(spooledConfig)) {
      throw new TraceletError("TRACELET_ERR_SPOOL_INVALID", `${spool.dir} has no readable backend.json; skipped.`, {
        details: { path: spool.dir },
      });
    }
    const { manager, logger } = options;
    if (!manager.getPlugin("backend", name) && !manager.discovery) await manager.discoverPlugins();
    const record = manager.resolve(name, "backend");
    const run = spoolIdentity(meta.run, options.runDir);
    const raw = { ...(spooledConfig as Record<string, unknown>), ...options.extra };
    secrets = secretValues(record.configSchema, raw);
    const config = validateConfig(record.name, record.configSchema, raw);
    const { instantiate } = await import("../../plugins/registry/instantiate.js");
    const backend = new BoundedBackend(record.name, (await instantiate(record)) as BackendInstance, options.timeoutMs);
    const context = {
      name: record.name,
      logger: pluginLogger(logger, record.name, record.configSchema, () => config),
      signal: new AbortController().signal,
      run,
      hooks: hookTaps(createHooks()),
      replay: true,
    };
    await backend.initialize(config, context);
    await backend.start();
    try {
      const done = await replaySpool(spool, backend.forReplay());
      console.log(`tracelet sync: ${name}: ${done.points} points from ${done.segments} spool file(s)`);
    } finally {
      await backend.stop();
    }
    return true;
  } catch (error) {
    // The backend's own messages may echo its config (a token in an auth error, say).
    if (error instanceof Error) scrubError(error, secrets);
    const code = isTraceletError(error) ? `${error.code}: ` : "";
    const message = error instanceof Error ? error.message : scrubText(String(error), secrets);
    console.error(`tracelet sync: ${name}: ${code}${message}`);
    return false;
  }
}
