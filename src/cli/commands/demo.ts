import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { startExperiment } from "../../start-experiment.js";

const EPOCHS = 20;
const STEPS_PER_EPOCH = 50;

/**
 * `tracelet demo`: a few-second simulated training loop on the embedded jsonl backend.
 *
 * @param args - `--dir <dir>` (default ./tracelet-runs), `--fast` (no sleeps)
 * @returns the exit code
 */
export async function demo(args: string[]): Promise<number> {
  const dirIndex = args.indexOf("--dir");
  const dir = dirIndex >= 0 ? args[dirIndex + 1] : undefined;
  const fast = args.includes("--fast");
  const exp = await startExperiment({ project: "demo", name: "simulated-training", backends: ["jsonl"], dir });
  const params = { lr: 3e-3, batchSize: 64, optimizer: { name: "adam", betas: [0.9, 0.999] }, epochs: EPOCHS };
  exp.logParams(params);
  console.log(`tracelet demo: run ${exp.id}`);
  let loss = 2.3;
  let acc = 0.1;
  let step = 0;
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    for (let i = 0; i < STEPS_PER_EPOCH; i++, step++) {
      loss = Math.max(0.02, loss * 0.996 + (Math.random() - 0.5) * 0.01);
      acc = Math.min(0.995, acc + (1 - acc) * 0.006 + (Math.random() - 0.5) * 0.002);
      exp.logMetrics({ "train/loss": loss, "train/accuracy": acc }, step);
    }
    exp.logMetric("epoch", epoch, step);
    if (!fast) await new Promise((r) => setTimeout(r, 100));
    const line = `  epoch ${String(epoch + 1).padStart(2)}/${EPOCHS}  loss ${loss.toFixed(4)}  acc ${acc.toFixed(4)}`;
    // On a terminal the line is redrawn in place; in a log only every 5th epoch is printed.
    if (process.stdout.isTTY) process.stdout.write(`\r${line}${epoch + 1 === EPOCHS ? "\n" : ""}`);
    else if ((epoch + 1) % 5 === 0) console.log(line);
  }
  const scratch = await mkdtemp(join(tmpdir(), "tracelet-demo-"));
  const model = join(scratch, "model.json");
  await writeFile(model, JSON.stringify({ weights: Array.from({ length: 16 }, () => Math.random()) }));
  await exp.logArtifact(model, "models/model.json");
  await rm(scratch, { recursive: true, force: true });
  const status = exp.status();
  const report = await exp.stop();
  const jsonl = status.plugins.find((p) => p.name === "jsonl");
  const rows: Array<[string, string]> = [
    ["run", exp.id],
    ["directory", relative(process.cwd(), exp.runDir) || "."],
    ["steps", String(step)],
    ["points", String(step * 2 + EPOCHS)],
    ["final train/loss", loss.toFixed(4)],
    ["final train/accuracy", acc.toFixed(4)],
    ["params", Object.keys(params).length.toString()],
    ["artifacts", "models/model.json"],
    ["backend", `jsonl (${jsonl?.state ?? "?"})`],
    ["failures", String(report.failures.length)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join("\n"));
  console.log(`\nResults are in ${exp.runDir}\n  metrics.jsonl, params.json, run.json, artifacts/`);
  return report.failures.length === 0 ? 0 : 1;
}
