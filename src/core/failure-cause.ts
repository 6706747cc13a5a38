import type { TraceletError } from "./errors.js";

/** What a plugin threw, behind the coded error that reports it. */
export interface FailureCause {
  /** The thrown error's message (or the thrown value as text). */
  message: string;
  /** Its stack, when it had one. */
  stack?: string;
}

/**
 * The cause of a plugin failure: the message and stack of what the plugin threw (already
 * scrubbed of secrets with the error), or of the coded error itself when nothing was wrapped.
 *
 * @param error - the coded error
 * @returns the cause
 */
export function failureCause(error: TraceletError): FailureCause {
  const cause = error.cause;
  if (cause instanceof Error)
    return cause.stack ? { message: cause.message, stack: cause.stack } : { message: cause.message };
  if (cause !== undefined) return { message: String(cause) };
  return error.stack ? { message: error.message, stack: error.stack } : { message: error.message };
}
