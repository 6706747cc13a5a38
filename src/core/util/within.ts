/**
 * Waits for a promise, at most `ms` milliseconds. The timer is cleared as soon as either side
 * settles and never keeps the process alive.
 *
 * @param promise - what to wait for (its rejection passes through)
 * @param ms - the longest wait (negative counts as 0)
 * @returns the promise's value, or undefined when the time ran out first
 * @example
 * ```ts
 * const inventory = await within(readInventory(), 3000); // undefined after 3 s
 * ```
 */
export function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, ms), undefined);
    timer.unref();
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
