import type { PluginHost } from "./plugin-host.js";

/**
 * Logs the run-describing params of collectors (git, environment, inventory) through their
 * optional `params()`, once per collector per run: at run start for those started then, and
 * when a collector first starts later (enabled mid-run). A reload does not log them again.
 */
export class CollectorParams {
  private readonly logged = new Set<string>();

  /**
   * @param deadlineMs - deadline of each `params()` call (the run's `start` deadline)
   * @param emit - logs one collector's params with the run
   */
  constructor(
    private readonly deadlineMs: number,
    private readonly emit: (params: Record<string, unknown>) => void,
  ) {}

  /**
   * Asks every started collector among `hosts` whose params were not logged yet, in parallel;
   * failures are isolated (reported under the `logParams` hook).
   *
   * @param hosts - plugins (backends and stopped collectors are skipped)
   */
  async log(hosts: readonly PluginHost[]): Promise<void> {
    const due = hosts.filter(
      (h) => h.type === "collector" && h.state === "started" && h.collector.params && !this.logged.has(h.name),
    );
    for (const h of due) this.logged.add(h.name);
    const results = await Promise.all(
      due.map((h) => h.call("logParams", this.deadlineMs, () => h.collector.params?.())),
    );
    for (const result of results) {
      if (result.ok && result.value && typeof result.value === "object" && Object.keys(result.value).length > 0)
        this.emit(result.value);
    }
  }
}
