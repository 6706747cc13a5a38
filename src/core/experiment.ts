import { RunLog } from "./experiment-log.js";
import { logCollectorParams, runStatus, startRun } from "./experiment-run.js";
import { emergencyExitRun, flushRun, shutdownRun } from "./experiment-shutdown.js";
import type {
  ExperimentInit,
  ExperimentState,
  ExperimentStatus,
  LogMetricOptions,
  StopReport,
} from "./experiment-types.js";
import { failureCause } from "./failure-cause.js";
import { guardRun, releaseRun } from "./lifecycle/exit-guard.js";
import { FINISHED, type RunEnd } from "./run-end.js";
import type { PluginFailure } from "./types.js";

export type { ExperimentInit, ExperimentState, ExperimentStatus, LogMetricOptions, StopReport };

/**
 * A running experiment. Create it with `startExperiment()`.
 */
export class Experiment extends RunLog implements AsyncDisposable {
  private readonly failures: PluginFailure[] = [];
  private currentState: ExperimentState = "running";
  private stopping: Promise<StopReport> | undefined;
  private end: RunEnd | undefined;

  private constructor(init: ExperimentInit) {
    super(init);
    this.run.hooks.error.tap("tracelet", ({ plugin, hook, error }) => {
      this.failures.push({ plugin, hook, code: error.code, message: error.message, cause: failureCause(error) });
    });
  }

  /**
   * Initializes and starts the plugins, then returns the running experiment. Use
   * `startExperiment()`, which builds the `init` this takes.
   *
   * @param init - identity, hooks, plugins, deadlines
   * @returns the running experiment
   * @internal
   */
  static async start(init: ExperimentInit): Promise<Experiment> {
    const exp = new Experiment(init);
    await startRun(exp.run);
    logCollectorParams(exp.run, init.hosts);
    guardRun(exp);
    return exp;
  }

  /**
   * Resolves when every backend has accepted everything logged before the call and made it
   * durable (its `flush()`); a backend in an outage has it in its spool on disk by then.
   *
   * @throws TraceletError `TRACELET_ERR_RUN_STOPPED`
   */
  async flush(): Promise<void> {
    if (this.currentState === "stopped") throw this.stoppedError("flush");
    await flushRun(this.run);
  }

  /**
   * Stops the run: collectors stop, one last collect, flush, then logging closes, the points
   * logged meanwhile are delivered, and backends stop in reverse start order. Idempotent.
   *
   * @returns every isolated failure of the run, and points left in spools
   */
  stop(): Promise<StopReport> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  /** Run id: the same as {@link Experiment.id}, under the name the option and `run.json` use. */
  get runId(): string {
    return this.id;
  }

  /** Same as {@link Experiment.stop}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** The run's state, each plugin's status and each backend's queue. */
  status(): ExperimentStatus {
    return runStatus(this.run, this.currentState);
  }

  /**
   * Synchronous last resort at process exit without `stop()`: every pending point is written
   * to the spools, then lifecycle-aware plugins get `forceCleanup()`.
   *
   * @internal
   */
  emergencyExit(): void {
    const stopped = this.currentState === "stopped";
    this.closed = true;
    emergencyExitRun(this.run, stopped);
  }

  /**
   * Records how the run is ending (the exit guard: a signal, an uncaught error) before it stops;
   * the first one wins, and a run already stopping keeps its own.
   *
   * @param end - how it ends
   * @internal
   */
  endAs(end: RunEnd): void {
    if (!this.stopping) this.end ??= end;
  }

  /** @internal How long the exit guard waits for `stop()` on a signal, ms. */
  get shutdownTimeoutMs(): number {
    return this.run.timeouts.shutdown;
  }

  private async shutdown(): Promise<StopReport> {
    const began = performance.now();
    this.currentState = "stopping";
    let left: Omit<StopReport, "failures"> = { spooled: {}, inFlight: {}, spoolDirs: {}, sync: [] };
    // Whatever throws, the run ends "stopped" and the exit guard lets go of it.
    try {
      left = await shutdownRun(this.run, () => (this.closed = true), began, this.end ?? FINISHED);
    } finally {
      this.closed = true;
      this.currentState = "stopped";
      releaseRun(this);
    }
    return { failures: [...this.failures], ...left };
  }
}
