import { writeSync } from "node:fs";
import { createRequire } from "node:module";
import type { DestinationStream, Level, Logger } from "pino";
import { REDACTED } from "./config/redact.js";
import { lazyLogger } from "./lazy-logger.js";

export type { Logger } from "pino";

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Log level; default `TRACELET_LOG_LEVEL`, else `"warn"` (quiet inside experiment scripts). */
  level?: Level | "silent";
  /** Where lines go; default stderr. */
  destination?: DestinationStream;
  /**
   * `"pretty"`: one readable line per entry (`WARN  [plugin] CODE: message`); `"json"`: pino's
   * JSON lines. Default `TRACELET_LOG_FORMAT`, else pretty when stderr is a terminal and JSON
   * when it is not (a file, a pipe, a log collector). Ignored with a `destination`.
   */
  format?: "pretty" | "json";
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

const LEVEL_NAMES: Readonly<Record<number, string>> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO",
  40: "WARN",
  50: "ERROR",
  60: "FATAL",
};
// Keys a readable line shows in its own place, not among the extra fields.
const SHOWN = new Set(["level", "time", "msg", "plugin", "code", "name", "pid", "hostname"]);

/**
 * One pino JSON line as one readable line: level, plugin, code, message, then the other fields
 * as `key=value` (an error's stack on the lines after it, at debug level and below).
 *
 * @param line - a pino JSON line
 * @returns the readable line, newline-terminated
 */
export function prettyLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line);
  } catch {
    return line.endsWith("\n") ? line : `${line}\n`;
  }
  const level = (LEVEL_NAMES[entry.level as number] ?? String(entry.level)).padEnd(5);
  const err = entry.err as { code?: unknown; message?: unknown; stack?: unknown } | undefined;
  const code = entry.code ?? err?.code;
  const parts = [level];
  if (entry.plugin) parts.push(`[${entry.plugin}]`);
  parts.push(`${code ? `${code}: ` : ""}${entry.msg ?? ""}`);
  const extra = Object.entries(entry)
    .filter(([k]) => !SHOWN.has(k) && k !== "err")
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
  if (err && typeof err.message === "string" && err.message !== entry.msg)
    extra.push(`error=${JSON.stringify(err.message)}`);
  const head = [...parts, ...extra].join(" ");
  const stack = (entry.level as number) <= 20 && typeof err?.stack === "string" ? `\n${err.stack}` : "";
  return `${head}${stack}\n`;
}

function resolveFormat(format?: string): "pretty" | "json" {
  const chosen = format ?? process.env.TRACELET_LOG_FORMAT;
  if (chosen === "json" || chosen === "pretty") return chosen;
  return process.stderr.isTTY ? "pretty" : "json";
}

// Writes each line synchronously to stderr, readable.
function prettyStream(): DestinationStream {
  return { write: (line: string) => void writeSync(2, prettyLine(line)) };
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
    const destination =
      options.destination ??
      (resolveFormat(options.format) === "pretty" ? prettyStream() : pino.destination({ fd: 2, sync: true }));
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
  if (redactPaths.length === 0) return rateLimited(root.child({ plugin: name }), name, root);
  const paths = [...new Set([...DEFAULT_REDACT_PATHS, ...redactPaths])];
  return rateLimited(root.child({ plugin: name }, { redact: { paths, censor: REDACTED } }), name, root);
}

/** Lines a plugin may log per second; the rest are dropped and counted. */
export const PLUGIN_LOG_LINES_PER_SECOND = 1000;
const WINDOW_MS = 1000;
const LEVEL_METHODS = new Set(["trace", "debug", "info", "warn", "error", "fatal"]);

/** One plugin's budget of log lines, shared by its logger and that logger's children. */
class LineBudget {
  private windowStart = 0;
  private used = 0;
  private dropped = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly plugin: string,
    private readonly report: Logger,
    private readonly limit: number,
  ) {}

  /** Whether one more line may be written now; counts it, or counts it dropped. */
  take(): boolean {
    const now = performance.now();
    if (now - this.windowStart >= WINDOW_MS) {
      this.windowStart = now;
      this.used = 0;
    }
    if (this.used < this.limit) {
      this.used++;
      return true;
    }
    this.dropped++;
    // One report per second at most, sent when the window ends (also when the flood stops).
    this.timer ??= setTimeout(() => this.flushReport(), Math.max(1, this.windowStart + WINDOW_MS - now)).unref();
    return false;
  }

  private flushReport(): void {
    this.timer = undefined;
    const dropped = this.dropped;
    this.dropped = 0;
    if (dropped > 0) {
      this.report.warn(
        { plugin: this.plugin, dropped, limitPerSecond: this.limit },
        `${dropped} log line(s) of plugin "${this.plugin}" dropped: more than ${this.limit} per second`,
      );
    }
  }
}

// A plugin's logger that writes at most `limit` lines a second (a flood of millions of lines
// slowed a run 25x); lines below the level cost nothing and are not counted.
function rateLimited(logger: Logger, plugin: string, root: Logger, budget?: LineBudget): Logger {
  const shared = budget ?? new LineBudget(plugin, root, PLUGIN_LOG_LINES_PER_SECOND);
  const wrapped = new Map<string | symbol, unknown>();
  const target = logger;
  // The proxy's own target is an empty object: with the logger itself as target, the engine's
  // invariant checks would read the logger's property descriptors, creating a lazy one's pino.
  return new Proxy({} as Logger, {
    has: (_empty, prop) => prop in target,
    getPrototypeOf: () => Reflect.getPrototypeOf(target),
    get(_empty, prop) {
      const cached = wrapped.get(prop);
      if (cached) return cached;
      // Level methods and child() are looked up on the target only when called: a lazy root
      // logger must not create pino because a plugin was handed its logger.
      if (typeof prop === "string" && LEVEL_METHODS.has(prop)) {
        const method = (...args: unknown[]): void => {
          if (!target.isLevelEnabled(prop) || !shared.take()) return;
          Reflect.apply(Reflect.get(target, prop, target) as (...a: unknown[]) => void, target, args);
        };
        wrapped.set(prop, method);
        return method;
      }
      if (prop === "child") {
        const child = (...args: Parameters<Logger["child"]>) =>
          rateLimited(target.child(...args) as unknown as Logger, plugin, root, shared);
        wrapped.set(prop, child);
        return child;
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
