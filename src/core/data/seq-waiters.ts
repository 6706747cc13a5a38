import { within } from "../util/within.js";

interface Waiter {
  seq: number;
  resolve: () => void;
}

/**
 * Callers waiting for a channel to reach a batch sequence number (`flush()`, `stop()`), each
 * with its own deadline. A waiter whose deadline passed leaves the list at once, so repeated
 * flushes against a stuck backend do not grow it.
 */
export class SeqWaiters {
  private list: Waiter[] = [];

  /** How many callers are waiting. */
  get length(): number {
    return this.list.length;
  }

  /**
   * Waits until {@link SeqWaiters.release} finds `seq` reached, or `deadlineMs` passes.
   *
   * @param seq - the batch to wait for
   * @param deadlineMs - the longest wait
   * @returns true when reached in time
   */
  async wait(seq: number, deadlineMs: number): Promise<boolean> {
    let waiter: Waiter | undefined;
    const reached = new Promise<true>((resolve) => {
      waiter = { seq, resolve: () => resolve(true) };
      this.list.push(waiter);
    });
    try {
      // The deadline keeps the process alive: a caller awaiting flush() must get an answer.
      return (await within(reached, deadlineMs, { keepAlive: true })) ?? false;
    } finally {
      this.list = this.list.filter((w) => w !== waiter);
    }
  }

  /**
   * Resolves every waiter whose sequence number is now settled.
   *
   * @param settled - whether a sequence number is reached
   */
  release(settled: (seq: number) => boolean): void {
    if (this.list.length === 0) return;
    const ready = this.list.filter((w) => settled(w.seq));
    if (ready.length === 0) return;
    this.list = this.list.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }

  /** Resolves everyone (the channel halted: nothing more will be delivered). */
  releaseAll(): void {
    const all = this.list;
    this.list = [];
    for (const w of all) w.resolve();
  }
}
