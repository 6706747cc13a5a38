// Start-up probe: import Tracelet, start a run with jsonl (+ system when registered), log one
// point, stop. argv[2]: the working directory; argv[3]: "system" to add the system collector.
// The default log level ("warn"), as a user's script has it: pino loads only if something warns.
import { startExperiment } from "../../dist/index.js";

const collectors = process.argv[3] === "system" ? ["system"] : [];
const exp = await startExperiment({ cwd: process.argv[2], backends: ["jsonl"], collectors });
exp.logMetric("loss", 0.5, 0);
await exp.stop();
