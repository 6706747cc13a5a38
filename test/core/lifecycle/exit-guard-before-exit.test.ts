import { describe, expect, it } from "vitest";
import { guardedRunCount, guardRun, releaseRun } from "../../../src/core/lifecycle/exit-guard.js";

describe("the exit guard on beforeExit", () => {
  it("a run whose stop() rejects causes no unhandled rejection", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    let stops = 0;
    const run = {
      stop: () => {
        stops++;
        return Promise.reject(new Error("stop failed"));
      },
      emergencyExit: () => {},
    };
    try {
      guardRun(run);
      process.emit("beforeExit", 0);
      await new Promise((r) => setTimeout(r, 10));
      expect(stops).toBe(1);
      expect(unhandled).toEqual([]);
      expect(guardedRunCount()).toBe(0);
    } finally {
      process.off("unhandledRejection", onUnhandled);
      releaseRun(run);
    }
  });
});
