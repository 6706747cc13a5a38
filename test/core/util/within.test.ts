import { afterEach, describe, expect, it, vi } from "vitest";
import { within } from "../../../src/core/util/within.js";

describe("within", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("gives the promise's value when it settles first, and leaves no timer behind", async () => {
    vi.useFakeTimers();
    await expect(within(Promise.resolve(42), 1000)).resolves.toBe(42);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("gives undefined when the time runs out first", async () => {
    vi.useFakeTimers();
    const never = new Promise<number>(() => {});
    const result = within(never, 500);
    await vi.advanceTimersByTimeAsync(499);
    let settled = false;
    void result.then(() => {
      settled = true;
    });
    await Promise.resolve();
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toBeUndefined();
  });

  it("passes a rejection through", async () => {
    await expect(within(Promise.reject(new Error("boom")), 1000)).rejects.toThrow("boom");
  });

  it("keeps the process alive until the deadline, unless told not to", async () => {
    vi.useFakeTimers();
    const never = new Promise<void>(() => {});
    const spy = vi.spyOn(globalThis, "setTimeout");
    void within(never, 100);
    void within(never, 100, { keepAlive: false });
    const [kept, unrefd] = spy.mock.results.map((r) => r.value as NodeJS.Timeout);
    expect(kept.hasRef()).toBe(true);
    expect(unrefd.hasRef()).toBe(false);
    spy.mockRestore();
    await vi.advanceTimersByTimeAsync(100);
  });
});
