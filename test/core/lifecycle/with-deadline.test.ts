import { afterEach, describe, expect, it, vi } from "vitest";
import { withDeadline } from "../../../src/core/lifecycle/with-deadline.js";
import { isTraceletError } from "../../../src/index.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("withDeadline", () => {
  it("clears its timer when the call settles in time", async () => {
    vi.useFakeTimers();
    await expect(withDeadline("p", "start", 1000, () => Promise.resolve(7))).resolves.toBe(7);
    await expect(withDeadline("p", "start", 1000, () => Promise.reject(new Error("x")))).rejects.toThrow("x");
    expect(vi.getTimerCount()).toBe(0);
  });

  it("rejects at the deadline with TRACELET_ERR_HOOK_TIMEOUT naming plugin and hook, and aborts the signal", async () => {
    vi.useFakeTimers();
    let signal: AbortSignal | undefined;
    const call = withDeadline("slow-plugin", "flush", 250, (s) => {
      signal = s;
      return new Promise(() => {});
    });
    const outcome = call.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(250);
    const error = await outcome;
    expect(isTraceletError(error)).toBe(true);
    expect(error).toMatchObject({
      code: "TRACELET_ERR_HOOK_TIMEOUT",
      details: { plugin: "slow-plugin", hook: "flush" },
    });
    expect((error as Error).message).toContain('"slow-plugin"');
    expect((error as Error).message).toContain('"flush"');
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBe(error);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("keeps its timer referenced while the call is pending (the deadline must be able to fire)", async () => {
    const spy = vi.spyOn(globalThis, "setTimeout");
    const call = withDeadline("p", "stop", 60_000, () => new Promise<void>((r) => setImmediate(r)));
    const timer = spy.mock.results.find((r) => (r.value as NodeJS.Timeout)?.hasRef)?.value as NodeJS.Timeout;
    spy.mockRestore();
    expect(timer.hasRef()).toBe(true);
    await call;
  });

  it("turns a synchronous throw into a rejection", async () => {
    await expect(
      withDeadline("p", "start", 100, () => {
        throw new Error("sync");
      }),
    ).rejects.toThrow("sync");
  });

  it("with onLate, reports the deadline and still settles with the call itself (never a second call beside it)", async () => {
    vi.useFakeTimers();
    const late: unknown[] = [];
    let finish: (value: number) => void = () => {};
    let signal: AbortSignal | undefined;
    const call = withDeadline(
      "slow-backend",
      "logMetrics",
      100,
      (s) => {
        signal = s;
        return new Promise<number>((resolve) => {
          finish = resolve;
        });
      },
      { onLate: (error) => late.push(error) },
    );
    let settled = false;
    void call.then(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(100);
    expect(late).toHaveLength(1);
    expect(late[0]).toMatchObject({ code: "TRACELET_ERR_HOOK_TIMEOUT", details: { plugin: "slow-backend" } });
    expect(signal?.aborted).toBe(true);
    expect(settled).toBe(false);
    finish(3);
    await expect(call).resolves.toBe(3);
    expect(late).toHaveLength(1);
  });
});
