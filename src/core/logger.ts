import { createRequire } from "node:module";
import type { DestinationStream, Level, Logger } from "pino";
import { REDACTED } from "./config/redact.js";
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

/**
 * Keys whose values are treated as secrets wherever no schema says otherwise: redacted in every
 * log line, and left out of what a spool writes to disk.
 */
export const SECRET_KEYS: readonly string[] = Object.freeze([
  "password",
  "token",
  "apiKey",
  "api_key",
  "secret",
  "authorization",
]);

/** Paths redacted in every log line, whatever the plugin: each of {@link SECRET_KEYS} under `config` and one level down. */
export const DEFAULT_REDACT_PATHS: readonly string[] = Object.freeze(
  SECRET_KEYS.flatMap((key) => [`config.${key}`, `*.${key}`]),
);

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
        redact: { paths: [...DEFAULT_REDACT_PATHS, ...(options.redact ?? [])], censor: REDACTED },
        base: undefined,
      },
      destination,
    );
  });
}

/**
 * A child logger for one plugin, bound to `{ plugin: name }`, redacting the plugin's own secret
 * paths as well as the defaults (a child's redaction replaces its parent's in pino, so the
 * defaults are always repeated here).
 *
 * @param root - the root logger
 * @param name - plugin name
 * @param redactPaths - pino paths of the plugin's secrets, e.g. `config.auth.token`
 * @returns the child logger
 */
export function childLogger(root: Logger, name: string, redactPaths: readonly string[] = []): Logger {
  if (redactPaths.length === 0) return root.child({ plugin: name });
  const paths = [...new Set([...DEFAULT_REDACT_PATHS, ...redactPaths])];
  return root.child({ plugin: name }, { redact: { paths, censor: REDACTED } });
}
