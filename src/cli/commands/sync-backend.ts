import { withDeadline } from "../../core/lifecycle/with-deadline.js";
import type { BackendInstance } from "../../core/plugin-api.js";
import type { HookName, PluginContext } from "../../core/types.js";

/**
 * A backend whose every call `tracelet sync` makes is bounded by a deadline: a backend that
 * hangs fails with `TRACELET_ERR_HOOK_TIMEOUT` instead of holding the command forever.
 */
export class BoundedBackend {
  /**
   * @param name - the backend's name, for timeout errors
   * @param backend - the backend instance
   * @param timeoutMs - the deadline of each call, in ms
   */
  constructor(
    private readonly name: string,
    private readonly backend: BackendInstance,
    private readonly timeoutMs: number,
  ) {}

  private async call(hook: HookName, fn: () => unknown): Promise<void> {
    // The deadline's timer does not hold the process open; a CLI waiting on a call that holds
    // nothing open itself would otherwise exit silently (code 0) instead of timing out.
    const keepAlive = setTimeout(() => {}, this.timeoutMs + 100);
    try {
      await withDeadline(this.name, hook, this.timeoutMs, async () => {
        await fn();
      });
    } finally {
      clearTimeout(keepAlive);
    }
  }

  /**
   * Initializes the backend.
   *
   * @param config - its validated config
   * @param context - its context
   */
  initialize(config: Readonly<Record<string, unknown>>, context: PluginContext): Promise<void> {
    return this.call("initialize", () => this.backend.initialize?.(config, context));
  }

  /** Starts the backend. */
  start(): Promise<void> {
    return this.call("start", () => this.backend.start?.());
  }

  /** Stops the backend. */
  stop(): Promise<void> {
    return this.call("stop", () => this.backend.stop?.());
  }

  /**
   * The view of the backend that replay uses: metric deliveries and flushes, each bounded.
   *
   * @returns a backend instance
   */
  forReplay(): BackendInstance {
    const b = this.backend;
    const view: BackendInstance = {
      logMetric: (name, value, step) => this.call("logMetrics", () => b.logMetric(name, value, step)),
      flush: () => this.call("flush", () => b.flush?.()),
    };
    if (b.logMetrics) view.logMetrics = (batch) => this.call("logMetrics", () => b.logMetrics?.(batch));
    return view;
  }
}
