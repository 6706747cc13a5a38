import { ERROR_CODES, type ErrorCode } from "./error-codes.js";

const BRAND = Symbol.for("tracelet.error");

/** Structured facts attached to an error (plugin, hook, path, package...). Never holds secrets. */
export type ErrorDetails = Record<string, unknown>;

/** The plain-object form of a {@link TraceletError}, for JSON output. */
export interface TraceletErrorJSON {
  /** The stable code. */
  code: ErrorCode;
  /** The message, ending with how to fix it. */
  message: string;
  /** Structured facts. */
  details: ErrorDetails;
}

/** Options for {@link TraceletError}. */
export interface TraceletErrorOptions {
  /** The original error, kept as the standard `cause`. */
  cause?: unknown;
  /** Structured facts about the failure. */
  details?: ErrorDetails;
}

/**
 * The one error class of Tracelet. Its `code` is stable; its message ends with how to fix it.
 *
 * @example
 * ```ts
 * try { exp.logMetric("", 1); } catch (e) { if (isTraceletError(e)) codes.push(e.code); }
 * ```
 */
export class TraceletError extends Error {
  /** The stable code, one of {@link ERROR_CODES}. */
  readonly code: ErrorCode;
  /** Structured facts about the failure. */
  readonly details: ErrorDetails;
  /** How to fix it, also appended to the message. */
  readonly hint: string;

  /**
   * @param code - one of the codes in {@link ERROR_CODES}
   * @param message - what happened, in one sentence
   * @param options - `cause` and `details`
   */
  constructor(code: ErrorCode, message: string, options: TraceletErrorOptions = {}) {
    const hint = ERROR_CODES[code];
    super(`${message} ${hint}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "TraceletError";
    this.code = code;
    this.hint = hint;
    this.details = options.details ?? {};
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** A plain-object form for JSON output (CLI, status, reports). */
  toJSON(): TraceletErrorJSON {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/**
 * Whether `value` is a Tracelet error, including one thrown by another copy of the library
 * (a nested `node_modules`), where `instanceof` would say no.
 *
 * @param value - anything caught
 * @returns true for a {@link TraceletError} from any copy
 */
export function isTraceletError(value: unknown): value is TraceletError {
  if (typeof value !== "object" || value === null) return false;
  const v = value as { code?: unknown };
  return (
    (value as Record<symbol, unknown>)[BRAND] === true &&
    typeof v.code === "string" &&
    v.code.startsWith("TRACELET_ERR_")
  );
}

/**
 * Wraps anything thrown by a plugin into a coded error, keeping the original as `cause`.
 *
 * @param code - the code to use when `error` is not already a Tracelet error
 * @param message - what happened
 * @param error - what was thrown
 * @param details - structured facts
 * @returns `error` itself when it already is a Tracelet error, else a new one
 */
export function toTraceletError(
  code: ErrorCode,
  message: string,
  error: unknown,
  details?: ErrorDetails,
): TraceletError {
  if (isTraceletError(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new TraceletError(code, `${message}: ${reason}.`, { cause: error, details });
}
