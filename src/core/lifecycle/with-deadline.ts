import { TraceletError } from "../errors.js";
import type { HookName } from "../types.js";

/**
 * Runs `fn` with an `AbortSignal` that is aborted at the deadline; rejects with
 * `TRACELET_ERR_HOOK_TIMEOUT` naming plugin and hook if `fn` has not settled by then.
 * The timer is unref'd and always cleared.
 *
 * @param plugin - plugin name, for the error
 * @param hook - hook name, for the error
 * @param timeoutMs - deadline in ms (`Infinity` or 0 disables it)
 * @param fn - the call
 * @param parent - a signal that also aborts the call (the run's)
 * @returns what `fn` resolved to
 * @throws TraceletError `TRACELET_ERR_HOOK_TIMEOUT`
 */
export function withDeadline<T>(
  plugin: string,
  hook: HookName,
  timeoutMs: number,
  fn: (signal: AbortSignal) => T | Promise<T>,
  parent?: AbortSignal,
): Promise<T> {
  const controller = new AbortController();
  const onParentAbort = () => controller.abort(parent?.reason);
  parent?.addEventListener("abort", onParentAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const cleanup = () => {
    if (timer) clearTimeout(timer);
    parent?.removeEventListener("abort", onParentAbort);
  };
  const call = new Promise<T>((resolve, reject) => {
    try {
      Promise.resolve(fn(controller.signal)).then(resolve, reject);
    } catch (error) {
      reject(error);
    }
  });
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) return call.finally(cleanup);
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new TraceletError(
        "TRACELET_ERR_HOOK_TIMEOUT",
        `Plugin "${plugin}" did not settle "${hook}" within ${timeoutMs} ms.`,
        { details: { plugin, hook, timeoutMs } },
      );
      controller.abort(error);
      reject(error);
    }, timeoutMs);
    timer.unref();
  });
  return Promise.race([call, deadline]).finally(cleanup);
}
