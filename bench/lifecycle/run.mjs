// Lifecycle engine overhead: what the engine adds around a plugin call, a hook call and a config
// validation, each as a ratio to a baseline measured in the same run:
//   (a) a direct `await plugin.flush()`                       vs (b) `host.call("flush", …)`:
//       deadline timer (unref'd, cleared), stats, isolation (no AbortSignal: the call takes none)
//   (c) a raw tapable SyncHook with one tap                   vs (d) the same hook from
//       `createHooks()` (every tap wrapped so that a throwing tap is isolated): the metrics hot path
//   (e) validating a config with the cached validator         vs (f) compiling the schema first
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, platform } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pino from "pino";
import tapable from "tapable";
import { importInternals } from "../internal.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const { PluginHost, createHooks, validateConfig } = await importInternals("lifecycle", {
  PluginHost: "src/core/lifecycle/plugin-host.ts",
  createHooks: "src/core/hooks.ts",
  validateConfig: "src/core/config/config-validator.ts",
});

function time(fn, iterations) {
  for (let i = 0; i < Math.min(iterations, 2000); i++) fn(-1 - i); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn(i);
  return Number(process.hrtime.bigint() - start) / iterations; // ns per op
}

async function timeAsync(fn, iterations) {
  for (let i = 0; i < 2000; i++) await fn(i);
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await fn(i);
  return Number(process.hrtime.bigint() - start) / iterations;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const plugin = { flush: async () => {} };
const hooks = createHooks();
const host = new PluginHost({
  name: "bench",
  type: "backend",
  instance: plugin,
  config: {},
  logger: pino({ level: "silent" }),
  run: { project: "b", name: "b", runId: "b", role: "main", workerId: 0, workerCount: 1, tags: {}, runDir: "/tmp" },
  hooks,
});
host.transition("initialized");
host.transition("started");

const ROUNDS = 5;
const rows = [];
const CALLS = 50_000;
const direct = [];
const hosted = [];
for (let r = 0; r < ROUNDS; r++) {
  direct.push(await timeAsync(() => plugin.flush(), CALLS));
  hosted.push(await timeAsync(() => host.call("flush", 10_000, () => plugin.flush()), CALLS));
}
rows.push(["(a) direct `await plugin.flush()` (baseline)", median(direct), 1]);
rows.push([
  '(b) `host.call("flush", …)` (deadline timer, stats, isolation)',
  median(hosted),
  median(hosted) / median(direct),
]);

const HOOK_CALLS = 2_000_000;
const raw = new tapable.SyncHook(["batch"]);
let sink = 0;
raw.tap("p", (b) => {
  sink += b.length;
});
hooks.metrics.tap("p", (b) => {
  sink += b.length;
});
const batch = [1, 2, 3];
const rawT = [];
const isoT = [];
for (let r = 0; r < ROUNDS; r++) {
  rawT.push(time(() => raw.call(batch), HOOK_CALLS));
  isoT.push(time(() => hooks.metrics.call(batch), HOOK_CALLS));
}
rows.push(["(c) raw tapable `SyncHook.call` (baseline)", median(rawT), 1]);
rows.push(["(d) `createHooks().metrics.call` (isolated taps)", median(isoT), median(isoT) / median(rawT)]);

const schema = () => ({
  type: "object",
  properties: {
    url: { type: "string" },
    retries: { type: "integer", default: 3 },
    token: { type: "string", writeOnly: true },
  },
  required: ["url"],
});
const cached = schema();
const config = { url: "https://x.test", token: "secret" };
let fresh = 0;
const cachedT = [];
const compileT = [];
for (let r = 0; r < ROUNDS; r++) {
  cachedT.push(time(() => validateConfig("p", cached, config), 20_000));
  compileT.push(
    time(() => {
      const s = schema();
      s.properties.url.description = `schema ${fresh++}`; // new content every time: no cache hit
      validateConfig("p", s, config);
    }, 100),
  );
}
rows.push(["(e) `validateConfig`, cached validator (baseline)", median(cachedT), 1]);
rows.push(["(f) `validateConfig`, schema compiled first", median(compileT), median(compileT) / median(cachedT)]);
if (sink < 0) console.log(sink);

const machine = `${cpus()[0]?.model ?? "unknown CPU"} × ${cpus().length}, Node ${process.version}, ${platform()}`;
const date = new Date().toISOString();
const md = [
  "## Lifecycle engine overhead",
  "",
  "What the engine adds around a plugin call, a hook call and a config validation; each figure is the",
  `median of ${ROUNDS} rounds, as a ratio to the baseline just above it, measured in the same run.`,
  "(b) is what every lifecycle and side call (params, tags, artifacts, flush) pays; metric batches",
  "pay it once per batch, not per point. (d) is the metrics hot path with tap isolation. (f) is why",
  "validators are compiled once per schema and cached.",
  "",
  "| case | ns per op | × baseline |",
  "|---|---:|---:|",
  ...rows.map(([label, ns, ratio]) => `| ${label} | ${ns.toFixed(0)} | ${ratio.toFixed(2)} |`),
  "",
  `Machine: ${machine}. Date: ${date}.`,
  "",
].join("\n");
mkdirSync(join(here, "..", "results"), { recursive: true });
writeFileSync(join(here, "..", "results", "lifecycle.md"), md);
writeFileSync(
  join(here, "..", "results", "lifecycle.json"),
  JSON.stringify({ machine, date, rows: rows.map(([label, nsPerOp, ratio]) => ({ label, nsPerOp, ratio })) }, null, 2),
);
console.log(md);
