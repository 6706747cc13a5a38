/** Options of {@link within}. */
export interface WithinOptions {
  /**
   * Let the deadline's timer keep the process alive until it fires (default true: whoever
   * awaits the result needs the process to last that long). `false` unrefs it, for a wait
   * that must not delay a process that has nothing else to do.
   */
  keepAlive?: boolean;
}

/**
 * Waits for a promise, at most `ms` milliseconds: resolves with its value, or with `undefined`
 * once the deadline passes first. The promise itself is not cancelled; a rejection before the
 * deadline passes through. The timer is cleared as soon as either side settles. (For plugin
 * calls, which need a coded timeout error and an abort signal, use `withDeadline`.)
 *
 * @param promise - what to wait for
 * @param ms - the longest wait (negative counts as 0)
 * @param options - whether the timer keeps the process alive (by default it does)
 * @returns the promise's value, or undefined when the time ran out first
 * @example
 * ```ts
 * const inventory = await within(readInventory(), 3000); // undefined after 3 s
 * ```
 */
export function within<T>(promise: Promise<T>, ms: number, options: WithinOptions = {}): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, ms), undefined);
    if (options.keepAlive === false) timer.unref();
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
