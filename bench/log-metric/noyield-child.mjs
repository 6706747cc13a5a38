// The never-yielding hot path in a fresh process: argv = variant ("push" | "log3"), calls per
// round, rounds, work dir. Each round is one synchronous loop of `calls` calls that never yields
// (a compute loop). "push": the bare `array.push({ name, value, step })` loop, a fresh array each
// round. "log3": `logMetric` into one run with three backends (jsonl + two in-process counting
// backends), `flush()` between rounds; after `stop()` it checks that every backend holds every
// point, in order. Prints JSON: ns per call of each round, and for log3 the counts.
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from "node:fs";
import { join } from "node:path";
import { BackendPlugin, PluginManager, startExperiment } from "../../dist/index.js";

const [variant, count, roundsArg, work] = process.argv.slice(2);
const n = Number(count);
const rounds = Number(roundsArg);
const NAMES = ["train/loss", "train/accuracy", "lr"];

function pushRound(kept, base) {
  for (let i = base; i < base + n; i++) kept.push({ name: NAMES[i % 3], value: i * 0.5, step: i });
}
function logRound(exp, base) {
  for (let i = base; i < base + n; i++) exp.logMetric(NAMES[i % 3], i * 0.5, i);
}

// An in-process backend that keeps a count and checks the logging order (steps increase).
class Counting extends BackendPlugin {
  static metadata = { name: "count-a", type: "backend" };
  static seen = {};
  count = 0;
  last = -1;
  inOrder = true;
  logMetric(_name, _value, step) {
    this.take(step);
  }
  logMetrics(batch) {
    for (let i = 0; i < batch.length; i++) this.take(batch[i].step);
  }
  take(step) {
    if (step <= this.last) this.inOrder = false;
    this.last = step;
    this.count++;
    this.constructor.seen[this.constructor.metadata.name] = this;
  }
}
class CountingB extends Counting {
  static metadata = { name: "count-b", type: "backend" };
}

function countLines(path) {
  const fd = openSync(path, "r");
  const buf = Buffer.allocUnsafe(1 << 20);
  let lines = 0;
  for (;;) {
    const got = readSync(fd, buf, 0, buf.length, null);
    if (got === 0) break;
    for (let i = 0; i < got; i++) if (buf[i] === 10) lines++;
  }
  closeSync(fd);
  return lines;
}

async function push() {
  const ns = [];
  for (let r = 0; r < rounds; r++) {
    let kept = [];
    const t = process.hrtime.bigint();
    pushRound(kept, r * n);
    ns.push(Number(process.hrtime.bigint() - t) / n);
    if (kept.length !== n) throw new Error("unreachable");
    kept = undefined;
    globalThis.gc?.();
  }
  return { ns };
}

async function log3() {
  const cwd = mkdtempSync(join(work, "noyield-"));
  const manager = new PluginManager({ cwd });
  manager.registerPlugin(Counting);
  manager.registerPlugin(CountingB);
  const exp = await startExperiment({ cwd, manager, backends: ["jsonl", "count-a", "count-b"], logLevel: "silent" });
  const ns = [];
  const flushMs = [];
  for (let r = 0; r < rounds; r++) {
    const t = process.hrtime.bigint();
    logRound(exp, r * n);
    ns.push(Number(process.hrtime.bigint() - t) / n);
    const f = process.hrtime.bigint();
    await exp.flush();
    flushMs.push(Number(process.hrtime.bigint() - f) / 1e6);
    globalThis.gc?.();
  }
  const s = process.hrtime.bigint();
  const report = await exp.stop();
  const stopMs = Number(process.hrtime.bigint() - s) / 1e6;
  const expected = n * rounds;
  const counts = {
    jsonl: countLines(join(exp.runDir, "metrics.jsonl")),
    "count-a": Counting.seen["count-a"]?.count ?? 0,
    "count-b": Counting.seen["count-b"]?.count ?? 0,
  };
  const inOrder = Counting.seen["count-a"]?.inOrder && Counting.seen["count-b"]?.inOrder;
  rmSync(cwd, { recursive: true, force: true });
  const complete = Object.values(counts).every((c) => c === expected);
  if (!complete || !inOrder) {
    process.stderr.write(`${JSON.stringify({ expected, counts, inOrder, report })}\n`);
    process.exit(2);
  }
  return { ns, flushMs, stopMs, expected, counts, inOrder };
}

process.stdout.write(`${JSON.stringify(await { push, log3 }[variant]())}\n`);
