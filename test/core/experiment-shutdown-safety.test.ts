import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { MetricChunk } from "../../src/core/data/metric-chunk.js";
import { Spool } from "../../src/core/data/spool.js";
import { guardedRunCount } from "../../src/core/lifecycle/exit-guard.js";
import { BackendPlugin, type RunIdentity } from "../../src/index.js";
import { withTestExperiment } from "../../src/testing/index.js";
import { tempDir } from "../helpers/temp-dir.js";

/** Its stop() waits until the test lets it finish; its side calls record overlap and order. */
class SideBackend extends BackendPlugin {
  static metadata = { name: "side", type: "backend" as const };
  static last: SideBackend | undefined;
  readonly seen: string[] = [];
  running = 0;
  maxRunning = 0;
  stopEntered!: () => void;
  readonly inStop = new Promise<void>((r) => {
    this.stopEntered = r;
  });
  finishStop!: () => void;
  private readonly stopGate = new Promise<void>((r) => {
    this.finishStop = r;
  });

  constructor() {
    super();
    SideBackend.last = this;
  }

  logMetric(): void {}

  private async busy(what: string): Promise<void> {
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    await new Promise((r) => setTimeout(r, 5));
    this.seen.push(what);
    this.running--;
  }

  override logParams(params: Record<string, unknown>): Promise<void> {
    return this.busy(`params:${Object.keys(params).join(",")}`);
  }

  override setTags(tags: Record<string, string>): Promise<void> {
    return this.busy(`tags:${Object.keys(tags).join(",")}`);
  }

  override logArtifact(_localPath: string, artifactPath?: string): Promise<void> {
    return this.busy(`artifact:${artifactPath}`);
  }

  override async stop(): Promise<void> {
    this.stopEntered();
    await this.stopGate;
  }
}

describe("side calls and shutdown", () => {
  it("side calls to one backend run one at a time, in call order", async () => {
    const cwd = await tempDir();
    const file = join(cwd, "a.txt");
    writeFileSync(file, "x");
    const exp = await withTestExperiment({ cwd, backends: ["side"] }, [SideBackend]);
    exp.logParams({ a: 1 });
    exp.setTags({ t: "1" });
    const artifact = exp.logArtifact(file, "f");
    exp.logParams({ b: 2 });
    await artifact;
    await exp.flush();
    const side = SideBackend.last!;
    expect(side.maxRunning).toBe(1);
    // logArtifact reaches the backends after an async stat(): the later logParams is ahead of it.
    expect(side.seen).toEqual(["params:a", "tags:t", "params:b", "artifact:f"]);
    side.finishStop();
    await exp.stop();
  });

  it("logParams, setTags and logArtifact throw TRACELET_ERR_RUN_STOPPED once stop() is closing the run", async () => {
    const cwd = await tempDir();
    const file = join(cwd, "a.txt");
    writeFileSync(file, "x");
    const exp = await withTestExperiment({ cwd, backends: ["side"] }, [SideBackend]);
    const side = SideBackend.last!;
    const stopping = exp.stop();
    await side.inStop;
    const stopped = expect.objectContaining({ code: "TRACELET_ERR_RUN_STOPPED" });
    expect(() => exp.logParams({ late: 1 })).toThrow(stopped);
    expect(() => exp.setTags({ late: "1" })).toThrow(stopped);
    await expect(exp.logArtifact(file)).rejects.toThrow(stopped);
    side.finishStop();
    await stopping;
    expect(side.seen).toEqual([]);
  });

  it("a stop() that throws still ends the run stopped and releases it from the exit guard", async () => {
    const cwd = await tempDir();
    const before = guardedRunCount();
    const exp = await withTestExperiment({ cwd });
    expect(guardedRunCount()).toBe(before + 1);
    // Taps and plugin calls are isolated; what can still throw is the engine's own I/O (the
    // spool on a dead disk), simulated here on the internal pipeline.
    const internals = exp as unknown as { pipeline: { close(): Promise<never> } };
    internals.pipeline.close = () => Promise.reject(new Error("disk gone"));
    await expect(exp.stop()).rejects.toThrow("disk gone");
    expect(exp.status().state).toBe("stopped");
    expect(guardedRunCount()).toBe(before);
    expect(() => exp.logMetric("m", 1)).toThrow(expect.objectContaining({ code: "TRACELET_ERR_RUN_STOPPED" }));
  });

  it("flush() calls that time out leave no waiter behind", async () => {
    const cwd = await tempDir();
    class HungBackend extends BackendPlugin {
      static metadata = { name: "hung", type: "backend" as const };
      logMetric(): void {}
      override logMetrics(): Promise<void> {
        return new Promise(() => {});
      }
    }
    const exp = await withTestExperiment(
      { cwd, backends: ["hung"], timeouts: { flush: 5, shutdown: 200 }, quarantineAfter: 1000 },
      [HungBackend],
    );
    exp.logMetric("m", 1, 0);
    for (let i = 0; i < 5; i++) await exp.flush();
    // Internal check: the channel's waiter list must not grow with every timed-out flush.
    const channels = (exp as unknown as { pipeline: { channels: Array<{ waiters: unknown[] }> } }).pipeline.channels;
    expect(channels[0].waiters).toHaveLength(0);
    await exp.stop();
  });
});

describe("spool crash safety", () => {
  it("seal() logs a failing fsync/close instead of throwing", async () => {
    const dir = await tempDir();
    const errors: string[] = [];
    const logger = { error: vi.fn((_o: unknown, msg: string) => errors.push(msg)) };
    const spool = new Spool(dir, { plugin: "x", config: {}, run: { runDir: dir } as RunIdentity }, 1, logger as never);
    const segment = spool.append(
      undefined,
      MetricChunk.fromRecords([{ name: "m", value: 1, step: 0, timestamp: 1 }], 1),
    );
    const fd = segment.fd as number;
    spool.seal({ ...segment }); // closes the real fd
    segment.fd = fd; // now stale: fsync and close both fail (EBADF)
    expect(() => spool.seal(segment)).not.toThrow();
    expect(errors).toEqual(["could not fsync a spool segment", "could not close a spool segment"]);
  });
});
