import { TraceletError } from "../errors.js";
import type { HookName } from "../types.js";

/**
 * The error of a plugin call that passed its deadline.
 *
 * @param plugin - plugin name
 * @param hook - the call
 * @param timeoutMs - the deadline that passed
 * @returns a `TRACELET_ERR_HOOK_TIMEOUT` error naming both
 */
export function timeoutError(plugin: string, hook: HookName, timeoutMs: number): TraceletError {
  return new TraceletError(
    "TRACELET_ERR_HOOK_TIMEOUT",
    `Plugin "${plugin}" did not settle "${hook}" within ${timeoutMs} ms.`,
    { details: { plugin, hook, timeoutMs } },
  );
}

// Handed to a call that declared no parameter (it cannot read it); never aborted.
const NO_SIGNAL: AbortSignal | undefined = undefined;

/** Options of {@link withDeadline}. */
export interface DeadlineOptions {
  /** A signal that also aborts the call (the run's teardown). */
  parent?: AbortSignal;
  /**
   * Let the deadline's timer keep the process alive until it fires (default true: a call that
   * never settles, in a script with nothing else pending, must still end in the coded timeout
   * rather than in Node exiting with the run half done, exit code 13, or 0 under `.then`).
   */
  keepAlive?: boolean;
  /**
   * Report the deadline here instead of rejecting: the call's signal is aborted, `onLate` gets
   * the `TRACELET_ERR_HOOK_TIMEOUT` error, and the returned promise still settles with the
   * call itself (a slow backend is never given a second call beside the first).
   */
  onLate?: (error: TraceletError) => void;
}

/**
 * The one way Tracelet bounds a plugin call: runs `fn` with an `AbortSignal` that is aborted
 * at the deadline; rejects with `TRACELET_ERR_HOOK_TIMEOUT` naming plugin and hook if `fn` has
 * not settled by then (or reports it to `onLate`). The timer is cleared as soon as `fn`
 * settles. A `fn` declared without parameters gets no signal (creating one is the dearest part
 * of this wrapper). `PluginHost.call` adds stats, error coding and quarantine on top; waits on
 * Tracelet's own promises use `within`.
 *
 * @param plugin - plugin name, for the error
 * @param hook - hook name, for the error
 * @param timeoutMs - deadline in ms (`Infinity` or 0 disables it)
 * @param fn - the call
 * @param options - parent signal, keep-alive, late reporting (an `AbortSignal` is read as `parent`)
 * @returns what `fn` resolved to
 * @throws TraceletError `TRACELET_ERR_HOOK_TIMEOUT`
 */
export function withDeadline<T>(
  plugin: string,
  hook: HookName,
  timeoutMs: number,
  fn: (signal: AbortSignal) => T | Promise<T>,
  options: DeadlineOptions | AbortSignal = {},
): Promise<T> {
  const { parent, keepAlive = true, onLate } = options instanceof AbortSignal ? { parent: options } : options;
  // Creating an AbortSignal costs several microseconds in Node 20, far more than the rest of
  // this wrapper: a call that declares no parameter cannot observe it, so it gets none.
  const controller = fn.length > 0 ? new AbortController() : undefined;
  if (controller && parent?.aborted) controller.abort(parent.reason);
  const onParentAbort = controller && parent && (() => controller.abort(parent.reason));
  if (onParentAbort) parent?.addEventListener("abort", onParentAbort, { once: true });
  // One promise, settled by whichever comes first (the call or the deadline): no race, no
  // extra hops; this wraps every lifecycle and side call of every plugin.
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      if (timer) clearTimeout(timer);
      if (onParentAbort) parent?.removeEventListener("abort", onParentAbort);
    };
    if (Number.isFinite(timeoutMs) && timeoutMs > 0) {
      timer = setTimeout(() => {
        const error = timeoutError(plugin, hook, timeoutMs);
        timer = undefined;
        controller?.abort(error);
        if (onLate) {
          onLate(error);
          return;
        }
        done();
        reject(error);
      }, timeoutMs);
      if (!keepAlive) timer.unref();
    }
    let result: T | Promise<T>;
    try {
      result = fn((controller?.signal ?? NO_SIGNAL) as AbortSignal);
    } catch (error) {
      done();
      reject(error);
      return;
    }
    Promise.resolve(result).then(
      (value) => {
        done();
        resolve(value);
      },
      (error: unknown) => {
        done();
        reject(error);
      },
    );
  });
}
