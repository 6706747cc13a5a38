import type { ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import type { Logger } from "pino";
import { GPU_QUERY_FIELDS, type GpuRow, parseGpuLine, splitLines } from "./nvidia-smi-csv.js";
import { missingFromPath } from "./on-path.js";

/** Options of {@link NvidiaSmiProcess}. */
export interface NvidiaSmiOptions {
  /** The executable (a name looked up on `PATH`, or a path). */
  command: string;
  /** Sampling period given to `-lms`, ms. */
  intervalMs: number;
  /** Where problems are logged (at debug level: no GPU is normal). */
  logger: Logger;
  /** First restart delay, ms (doubled after each failure, at most 60 s; default 1000). */
  restartDelayMs?: number;
  /** Starts in a row without a single GPU row before giving up (default 5). */
  maxFailedStarts?: number;
  /** A child silent this long is killed and restarted (default: 5 periods, at least 15 s). */
  silentAfterMs?: number;
}

/** Where the child stands. */
export type NvidiaSmiState = "idle" | "running" | "waiting-restart" | "absent" | "gave-up" | "stopped";

/**
 * One long-running `nvidia-smi --query-gpu=… -lms N` child per run, read line by line: the
 * newest row of each GPU is kept. A missing executable means no GPUs and no error. A child
 * that dies is restarted with exponential backoff; one that never yields a GPU row (no driver,
 * no device) is given up after a few tries. `stop` kills it; `forceCleanup` kills it
 * synchronously at process exit. Should this process die without either, the child's next
 * write hits a closed pipe and it ends too.
 */
export class NvidiaSmiProcess {
  private child: ChildProcess | undefined;
  private current: NvidiaSmiState = "idle";
  private restartTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private lastOutputAt = 0;
  private failedStarts = 0;
  private pending = "";
  private readonly latest = new Map<number, GpuRow>();
  /** How many times the child was started. */
  starts = 0;
  /** GPU rows parsed. */
  rows = 0;
  /** The last problem seen (exit code, spawn error, stderr line). */
  lastProblem: string | undefined;
  private settle: (() => void) | undefined;
  /** Resolves once the first GPU rows arrived, or once it is known none will (absent, gave up, stopped). */
  readonly settled: Promise<void> = new Promise((resolve) => {
    this.settle = resolve;
  });

  /** @param options - command, period, logger, backoff */
  constructor(private readonly options: NvidiaSmiOptions) {}

  /** The child's state. */
  get state(): NvidiaSmiState {
    return this.current;
  }

  /** The running child's pid, if any. */
  get pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  /** The newest row of each GPU, by index. */
  get gpus(): ReadonlyMap<number, GpuRow> {
    return this.latest;
  }

  /** Starts the child (once; later calls do nothing). */
  start(): void {
    if (this.current !== "idle") return;
    this.spawnChild();
  }

  /** Kills the child and waits (at most 2 s, then SIGKILL) for it to exit. */
  async stop(): Promise<void> {
    this.current = "stopped";
    if (this.watchdog) clearInterval(this.watchdog);
    this.settle?.();
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 2000);
    await exited;
    clearTimeout(timer);
  }

  /** Kills the child synchronously (for process exit). */
  forceCleanup(): void {
    this.current = "stopped";
    if (this.watchdog) clearInterval(this.watchdog);
    this.settle?.();
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.pid !== undefined) this.child?.kill("SIGKILL");
  }

  private spawnChild(): void {
    const args = [
      `--query-gpu=${GPU_QUERY_FIELDS.join(",")}`,
      "--format=csv,noheader,nounits",
      `-lms`,
      String(Math.max(100, Math.round(this.options.intervalMs))),
    ];
    this.starts++;
    this.pending = "";
    const rowsBefore = this.rows;
    if (missingFromPath(this.options.command)) {
      // What spawn would report, without forking.
      const error = Object.assign(new Error(`spawn ${this.options.command} ENOENT`), { code: "ENOENT" });
      this.absent(error);
      return;
    }
    let child: ChildProcess;
    try {
      // Required here: most machines have no GPU, and child_process costs ~6 ms to load.
      const { spawn } = createRequire(import.meta.url)("node:child_process") as typeof import("node:child_process");
      child = spawn(this.options.command, args, { stdio: ["ignore", "pipe", "pipe"], windowsHide: true });
    } catch (error) {
      this.absent(error);
      return;
    }
    this.child = child;
    this.current = "running";
    this.lastOutputAt = performance.now();
    this.watch(child);
    child.stdout?.setEncoding("latin1");
    child.stdout?.on("data", (chunk: string) => this.onData(chunk));
    child.stderr?.setEncoding("latin1");
    child.stderr?.on("data", (chunk: string) => {
      this.lastProblem = chunk.trim().split("\n").pop();
    });
    child.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT" || error.code === "EACCES") this.absent(error);
      else this.lastProblem = error.message;
    });
    child.once("exit", (code, signal) => {
      if (this.child === child) this.child = undefined;
      if (this.current === "stopped" || this.current === "absent") return;
      this.lastProblem = `nvidia-smi exited (${signal ?? `code ${code}`})${this.lastProblem ? `: ${this.lastProblem}` : ""}`;
      this.latest.clear();
      this.failedStarts = this.rows > rowsBefore ? 0 : this.failedStarts + 1;
      this.scheduleRestart();
    });
  }

  // nvidia-smi can hang (a wedged driver): a child silent for many periods is killed, and the
  // exit handler restarts it with backoff like any other death.
  private watch(child: ChildProcess): void {
    if (this.watchdog) clearInterval(this.watchdog);
    const silentMs = this.options.silentAfterMs ?? Math.max(15_000, 5 * this.options.intervalMs);
    this.watchdog = setInterval(() => {
      if (this.child !== child) return clearInterval(this.watchdog);
      if (performance.now() - this.lastOutputAt < silentMs) return;
      this.lastProblem = `nvidia-smi printed nothing for ${Math.round(silentMs / 1000)} s`;
      child.kill("SIGKILL");
    }, silentMs / 3);
    this.watchdog.unref();
  }

  private scheduleRestart(): void {
    const { logger, restartDelayMs = 1000, maxFailedStarts = 5 } = this.options;
    if (this.failedStarts >= maxFailedStarts) {
      this.current = "gave-up";
      this.settle?.();
      logger.debug({ problem: this.lastProblem }, "nvidia-smi never reported a GPU; GPU metrics are off");
      return;
    }
    const delay = Math.min(60_000, restartDelayMs * 2 ** Math.max(0, this.failedStarts - 1));
    this.current = "waiting-restart";
    logger.debug({ problem: this.lastProblem, delay }, "nvidia-smi stopped; restarting");
    this.restartTimer = setTimeout(() => {
      if (this.current === "waiting-restart") this.spawnChild();
    }, delay);
    this.restartTimer.unref();
  }

  private absent(error: unknown): void {
    this.current = "absent";
    this.settle?.();
    this.child = undefined;
    this.lastProblem = error instanceof Error ? error.message : String(error);
    this.options.logger.debug({ problem: this.lastProblem }, "nvidia-smi not found; no GPU metrics");
  }

  private onData(chunk: string): void {
    const { lines, rest } = splitLines(this.pending, chunk);
    this.pending = rest.length > 65_536 ? "" : rest;
    for (const line of lines) {
      const row = parseGpuLine(line);
      if (!row) continue;
      this.rows++;
      this.lastOutputAt = performance.now();
      this.latest.set(row.index, row);
    }
    // All GPUs print one row per period, so the first complete chunk lists them all.
    if (this.rows > 0) this.settle?.();
  }
}
