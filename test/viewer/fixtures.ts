import { join } from "node:path";
import { startExperiment } from "../../src/index.js";

/** A runs directory with `n` finished runs (params lr, metrics loss and train/acc) under `<cwd>/tracelet-runs`. */
export async function makeRuns(cwd: string, n: number, points = 50): Promise<{ dir: string; ids: string[] }> {
  const ids: string[] = [];
  for (let r = 0; r < n; r++) {
    const exp = await startExperiment({ cwd, project: "p", name: `run${r}`, logLevel: "silent" });
    await exp.logParams({ lr: 0.1 / (r + 1), opt: r % 2 ? "sgd" : "adam" });
    for (let i = 0; i < points; i++) exp.logMetrics({ loss: (r + 1) / (i + 1), "train/acc": i / points }, i);
    await exp.stop();
    ids.push(exp.id);
  }
  return { dir: join(cwd, "tracelet-runs"), ids };
}
