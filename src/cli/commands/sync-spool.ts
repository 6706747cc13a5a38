import { basename } from "node:path";
import type { Logger } from "pino";
import { scrubError, scrubText, secretValues } from "../../core/config/redact.js";
import { deliverBatch, type PointBatch, wantsColumns } from "../../core/data/deliver-batch.js";
import { type FoundSpool, replaySpool } from "../../core/data/replay-spool.js";
import { isTraceletError, TraceletError } from "../../core/errors.js";
import { createHooks } from "../../core/hooks.js";
import type { CallResult, PluginHost } from "../../core/lifecycle/plugin-host.js";
import { bringUp, stopPlugin } from "../../core/lifecycle/run-plugins.js";
import type { BackendInstance } from "../../core/plugin-api.js";
import { spoolIdentity } from "../../core/spool-identity.js";
import type { MetricColumns, MetricRecord, Timeouts } from "../../core/types.js";
import type { PluginManager } from "../../plugin-manager.js";

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

// `--timeout` bounds every call `tracelet sync` makes on a backend.
function everyDeadline(ms: number): Required<Timeouts> {
  return { initialize: ms, start: ms, collect: ms, flush: ms, stop: ms, shutdown: ms, perPlugin: {} };
}

async function succeeded(call: Promise<CallResult<unknown>>): Promise<void> {
  const outcome = await call;
  if (!outcome.ok) throw outcome.error;
}

// The backend as replay sees it: every delivery and flush through the host's plugin-call path
// (deadline, stats, coded and scrubbed errors), a failure thrown so that the replay stops there.
// A backend with `logMetricColumns` is offered columns, read straight from the segments.
function replayTarget(host: PluginHost, timeoutMs: number): BackendInstance {
  const deliver = (batch: PointBatch) =>
    succeeded(host.call("logMetrics", timeoutMs, () => deliverBatch(host.backend, batch)));
  return {
    logMetric: (...point) => succeeded(host.call("logMetrics", timeoutMs, () => host.backend.logMetric(...point))),
    logMetrics: (batch: MetricRecord[]) => deliver(batch),
    ...(wantsColumns(host.backend) ? { logMetricColumns: (columns: MetricColumns) => deliver(columns) } : {}),
    flush: () => succeeded(host.call("flush", timeoutMs, () => host.backend.flush?.())),
  };
}

/**
 * Replays one spool into a fresh instance of its backend, in this process, and prints one line
 * saying what was delivered or why not. The identity in `backend.json` is checked first (no
 * plugin code runs for a forged one); the backend is activated, brought up, called and stopped
 * through the same plugin-call path as in a run, every deadline being `--timeout`; it is told it
 * is a replay (`context.replay`) so it records no new status for the run, and its logger and
 * errors hide the values of its secrets.
 *
 * @param spool - the spool
 * @param options - run directory, extra config, deadline, manager, logger
 * @returns true when everything was delivered
 */
export async function replayOneSpool(spool: FoundSpool, options: ReplayOneOptions): Promise<boolean> {
  const name = spoolBackend(spool);
  let secrets: string[] = [];
  const report = (code: string | undefined, message: string): false => {
    console.error(`tracelet sync: ${name}: ${code ? `${code}: ` : ""}${scrubText(message, secrets)}`);
    return false;
  };
  try {
    const meta = spool.meta;
    const spooledConfig = (meta as { config?: unknown } | undefined)?.config ?? {};
    if (!meta || typeof spooledConfig !== "object" || spooledConfig === null || Array.isArray(spooledConfig)) {
      throw new TraceletError("TRACELET_ERR_SPOOL_INVALID", `${spool.dir} has no readable backend.json; skipped.`, {
        details: { path: spool.dir },
      });
    }
    const { manager, logger, timeoutMs } = options;
    if (!manager.getPlugin("backend", name) && !manager.discovery) await manager.discoverPlugins();
    const record = manager.resolve(name, "backend");
    const identity = spoolIdentity(meta.run, options.runDir);
    const raw = { ...(spooledConfig as Record<string, unknown>), ...options.extra };
    secrets = secretValues(record.configSchema, raw);
    const timeouts = everyDeadline(timeoutMs);
    const hooks = createHooks();
    const { activatePlugin } = await import("../../plugins/registry/activate.js");
    const host = await activatePlugin(record, raw, { identity, hooks, logger, timeouts, replay: true });
    let failure: { code: string; message: string } | undefined;
    let thrown: unknown;
    try {
      [failure] = (await bringUp([host], hooks, identity, timeouts)).failures;
      if (!failure) {
        const done = await replaySpool(spool, replayTarget(host, timeoutMs));
        console.log(`tracelet sync: ${name}: ${done.points} points from ${done.segments} spool file(s)`);
      }
    } catch (error) {
      thrown = error;
    }
    // Stopped whatever happened (like a run's plugins); the first failure is the one reported.
    const stopped = await stopPlugin(host);
    if (thrown !== undefined) throw thrown;
    if (failure) return report(failure.code, failure.message);
    if (stopped && !stopped.ok) throw stopped.error;
    return true;
  } catch (error) {
    // The backend's own messages may echo its config (a token in an auth error, say).
    if (error instanceof Error) scrubError(error, secrets);
    return report(
      isTraceletError(error) ? error.code : undefined,
      error instanceof Error ? error.message : String(error),
    );
  }
}
