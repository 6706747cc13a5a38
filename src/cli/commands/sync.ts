import { resolve } from "node:path";
import { registerBuiltins } from "../../builtins.js";
import { validateConfig } from "../../core/config/config-validator.js";
import { findSpools, replaySpool } from "../../core/data/replay-spool.js";
import { isTraceletError } from "../../core/errors.js";
import { createHooks } from "../../core/hooks.js";
import { childLogger, createLogger } from "../../core/logger.js";
import type { BackendInstance } from "../../core/plugin-api.js";
import { PluginManager } from "../../plugins/plugin-manager.js";

const USAGE = "Usage: tracelet sync <run dir> [--config <json>]\n";

/**
 * `tracelet sync <run dir>`: replays the spool of a run whose process died (or whose backend
 * was down at stop) into each backend named in `<run dir>/spool/<backend>/backend.json`, in
 * logging order, then deletes what was delivered. `--config '<json>'` adds config values (for
 * instance secrets, which are never written to the spool) to every backend.
 *
 * @param args - the run directory, `--config <json>`
 * @returns the exit code: 0 when everything was delivered
 */
export async function sync(args: string[]): Promise<number> {
  const configIndex = args.indexOf("--config");
  const extra = configIndex >= 0 ? (JSON.parse(args[configIndex + 1] ?? "{}") as Record<string, unknown>) : {};
  const runDir = args.find((a, i) => !a.startsWith("--") && (configIndex < 0 || i !== configIndex + 1));
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
  registerBuiltins(manager);
  let failed = 0;
  for (const spool of spools) {
    const meta = spool.meta;
    if (!meta) {
      console.error(`tracelet sync: ${spool.dir} has no readable backend.json; skipped`);
      failed++;
      continue;
    }
    try {
      if (!manager.getPlugin("backend", meta.plugin) && !manager.discovery) await manager.discoverPlugins();
      const record = manager.resolve(meta.plugin, "backend");
      const config = validateConfig(record.name, record.configSchema, { ...meta.config, ...extra });
      const { instantiate } = await import("../../plugins/instantiate.js");
      const backend = (await instantiate(record)) as BackendInstance;
      const context = {
        name: record.name,
        logger: childLogger(logger, record.name),
        signal: new AbortController().signal,
        run: meta.run,
        hooks: createHooks(),
      };
      await backend.initialize?.(config, context);
      await backend.start?.();
      try {
        const done = await replaySpool(spool, backend);
        console.log(`tracelet sync: ${meta.plugin}: ${done.points} points from ${done.segments} spool file(s)`);
      } finally {
        await backend.stop?.();
      }
    } catch (error) {
      failed++;
      const code = isTraceletError(error) ? `${error.code}: ` : "";
      console.error(`tracelet sync: ${meta.plugin}: ${code}${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return failed === 0 ? 0 : 1;
}
