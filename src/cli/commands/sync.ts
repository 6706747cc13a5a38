import { resolve } from "node:path";
import { validateConfig } from "../../core/config/config-validator.js";
import { scrubError, scrubText, secretValues } from "../../core/config/redact.js";
import { findSpools, replaySpool } from "../../core/data/replay-spool.js";
import { isTraceletError, TraceletError } from "../../core/errors.js";
import { createHooks } from "../../core/hooks.js";
import { DEFAULT_TIMEOUTS } from "../../core/lifecycle/timeouts.js";
import { createLogger } from "../../core/logger.js";
import type { BackendInstance } from "../../core/plugin-api.js";
import { PluginManager } from "../../plugin-manager.js";
import { pluginLogger } from "../../plugins/registry/redaction-paths.js";
import { BoundedBackend } from "./sync-backend.js";

const USAGE = "Usage: tracelet sync <run dir> [--config <json>] [--timeout <ms>]\n";

function optionValue(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i >= 0 ? (args[i + 1] ?? "") : undefined;
}

// `--config` is user input: a typo must get a coded error, not a raw SyntaxError.
function parseConfig(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new TraceletError("TRACELET_ERR_OPTION_INVALID", "--config must be a JSON object.", {
      cause,
      details: { option: "--config" },
    });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TraceletError("TRACELET_ERR_OPTION_INVALID", "--config must be a JSON object.", {
      details: { option: "--config" },
    });
  }
  return value as Record<string, unknown>;
}

function parseTimeout(text: string | undefined): number {
  if (text === undefined) return DEFAULT_TIMEOUTS.flush;
  const ms = Number(text);
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new TraceletError("TRACELET_ERR_OPTION_INVALID", "--timeout must be a positive number of ms.", {
      details: { option: "--timeout" },
    });
  }
  return ms;
}

/**
 * `tracelet sync <run dir>`: replays the spool of a run whose process died (or whose backend
 * was down at stop) into each backend named in `<run dir>/spool/<backend>/backend.json`, in
 * logging order, then deletes what was delivered. `--config '<json>'` adds config values (for
 * instance secrets, which are never written to the spool) to every backend; their secret values
 * are scrubbed from every message shown. Each backend call is bounded by `--timeout <ms>`
 * (default: the `flush` deadline).
 *
 * @param args - the run directory, `--config <json>`, `--timeout <ms>`
 * @returns the exit code: 0 when everything was delivered
 * @throws TraceletError `TRACELET_ERR_OPTION_INVALID` for a malformed `--config` or `--timeout`
 */
export async function sync(args: string[]): Promise<number> {
  const extra = parseConfig(optionValue(args, "--config"));
  const timeoutMs = parseTimeout(optionValue(args, "--timeout"));
  const valueAt = new Set(["--config", "--timeout"].map((f) => args.indexOf(f) + 1).filter((i) => i > 0));
  const runDir = args.find((a, i) => !a.startsWith("--") && !valueAt.has(i));
  if (!runDir) {
    process.stderr.write(USAGE);
    return 2;
  }
  const spools = findSpools(resolve(runDir));
  if (spools.length === 0) {
    console.log(`tracelet sync: nothing to replay in ${runDir}`);
    return 0;
  }
  const logger = createLogger();
  const manager = new PluginManager({ cwd: process.cwd(), logger });
  let failed = 0;
  for (const spool of spools) {
    const meta = spool.meta;
    if (!meta) {
      console.error(`tracelet sync: ${spool.dir} has no readable backend.json; skipped`);
      failed++;
      continue;
    }
    let secrets: string[] = [];
    try {
      if (!manager.getPlugin("backend", meta.plugin) && !manager.discovery) await manager.discoverPlugins();
      const record = manager.resolve(meta.plugin, "backend");
      const raw = { ...meta.config, ...extra };
      secrets = secretValues(record.configSchema, raw);
      const config = validateConfig(record.name, record.configSchema, raw);
      const { instantiate } = await import("../../plugins/registry/instantiate.js");
      const backend = new BoundedBackend(record.name, (await instantiate(record)) as BackendInstance, timeoutMs);
      const context = {
        name: record.name,
        logger: pluginLogger(logger, record.name, record.configSchema),
        signal: new AbortController().signal,
        run: meta.run,
        hooks: createHooks(),
      };
      await backend.initialize(config, context);
      await backend.start();
      try {
        const done = await replaySpool(spool, backend.forReplay());
        console.log(`tracelet sync: ${meta.plugin}: ${done.points} points from ${done.segments} spool file(s)`);
      } finally {
        await backend.stop();
      }
    } catch (error) {
      failed++;
      // The backend's own messages may echo its config (a token in an auth error, say).
      if (error instanceof Error) scrubError(error, secrets);
      const code = isTraceletError(error) ? `${error.code}: ` : "";
      const message = error instanceof Error ? error.message : scrubText(String(error), secrets);
      console.error(`tracelet sync: ${meta.plugin}: ${code}${message}`);
    }
  }
  return failed === 0 ? 0 : 1;
}
