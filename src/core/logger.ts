import { createRequire } from "node:module";
import type { DestinationStream, Level, Logger } from "pino";
import { lazyLogger } from "./lazy-logger.js";

export type { Logger } from "pino";

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Log level; default `TRACELET_LOG_LEVEL`, else `"warn"` (quiet inside experiment scripts). */
  level?: Level | "silent";
  /** Where lines go; default stderr (pretty when it is a TTY and pino-pretty is installed). */
  destination?: DestinationStream;
  /** Extra object paths whose values are always redacted. */
  redact?: string[];
}

/** Paths redacted in every log line, whatever the plugin. */
export const DEFAULT_REDACT_PATHS: readonly string[] = Object.freeze([
  "config.password",
  "config.token",
  "config.apiKey",
  "config.secret",
  "*.password",
  "*.token",
  "*.apiKey",
  "*.secret",
]);

type Pino = typeof import("pino").default;
let pinoModule: Pino | undefined;

// pino is CommonJS: required (not imported, which would run its source through the ESM export
// lexer) on the first logger, so that importing Tracelet alone does not load it.
function loadPino(): Pino {
  pinoModule ??= createRequire(import.meta.url)("pino") as Pino;
  return pinoModule;
}

const LEVELS = new Set(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);

/**
 * Resolves the log level: the explicit one, else `TRACELET_LOG_LEVEL`, else `"warn"`.
 *
 * @param level - an explicit level
 * @returns a valid pino level
 */
export function resolveLogLevel(level?: string): Level | "silent" {
  const candidate = level ?? process.env.TRACELET_LOG_LEVEL ?? "warn";
  return (LEVELS.has(candidate) ? candidate : "warn") as Level | "silent";
}

function prettyStream(): DestinationStream | undefined {
  if (!process.stderr.isTTY) return undefined;
  try {
    // Optional: pino-pretty is a dev dependency; in-thread and sync so no worker is spawned.
    const require = createRequire(import.meta.url);
    const pretty = require("pino-pretty") as (opts: Record<string, unknown>) => DestinationStream;
    return pretty({ destination: 2, sync: true, colorize: true, ignore: "pid,hostname" });
  } catch {
    return undefined;
  }
}

/**
 * Creates Tracelet's root logger. Each plugin gets `childLogger(root, name, secretPaths)`.
 *
 * @param options - level, destination, extra redaction paths
 * @returns a pino logger
 * @example
 * ```ts
 * const log = createLogger({ level: "info" });
 * log.info("ready");
 * ```
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = resolveLogLevel(options.level);
  // Created on first need: a run that logs nothing at its level never loads pino.
  return lazyLogger(level, () => {
    const pino = loadPino();
    const destination = options.destination ?? prettyStream() ?? pino.destination({ fd: 2, sync: true });
    return pino(
      {
        name: "tracelet",
        level,
        redact: { paths: [...DEFAULT_REDACT_PATHS, ...(options.redact ?? [])], censor: "[redacted]" },
        base: undefined,
      },
      destination,
    );
  });
}

/**
 * A child logger for one plugin, bound to `{ plugin: name }`, redacting the plugin's secret
 * config paths (given as `config.<path>`).
 *
 * @param root - the root logger
 * @param name - plugin name
 * @param secretPaths - dotted config paths marked secret in the plugin's schema
 * @returns the child logger
 */
export function childLogger(root: Logger, name: string, secretPaths: readonly string[] = []): Logger {
  if (secretPaths.length === 0) return root.child({ plugin: name });
  const paths = secretPaths.flatMap((p) => [`config.${p}`, p]);
  return root.child({ plugin: name }, { redact: { paths, censor: "[redacted]" } });
}
