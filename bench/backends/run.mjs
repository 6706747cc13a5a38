// Backends benchmark: each built-in backend's end-to-end throughput (logMetric of N points, then
// stop(): every point delivered and synced) as a ratio to a bare hand-written program using the
// same engine, in the same run: (tensorboard) a bare TFRecord writer, hand-encoded events with
// its own CRC-32C, one writeSync per 4,096 points, fdatasync at the end; (sqlite) a bare
// better-sqlite3 prepared insert, one transaction per 4,096 points, WAL; (mlflow) a bare fetch
// loop of 1,000-metric log-batch requests to the same fake server (the tests' one, in a child
// process, as a real tracking server would be). Sides alternate, best of REPS each. Also what a
// backend adds to the caller's logMetric loop, against the same loop (same points, same number)
// with the jsonl backend, run in the same repetitions. No side forces a GC before it runs: a
// forced full GC drops the optimized code that depends on the previous run's dead objects, and
// every Tracelet side then measured mostly its JIT warm-up again (3-4x slower; the bare
// programs, one function each, re-optimize at once).

import { spawn } from "node:child_process";
import { once } from "node:events";
import { closeSync, fdatasyncSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { cpus, platform, tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { bundleInternals, importInternals } from "../internal.mjs";

const results = join(import.meta.dirname, "..", "results");
const N = Number(process.env.BENCH_POINTS ?? 200_000);
const N_MLFLOW = Number(process.env.BENCH_MLFLOW_POINTS ?? 50_000);
const REPS = Number(process.env.BENCH_REPS ?? 5);
const BATCH = 4096;
// BENCH_BACKENDS=tensorboard,mlflow runs only those (for profiling one path); all by default.
const ONLY = process.env.BENCH_BACKENDS?.split(",");

const { startExperiment } = await importInternals("backends", { startExperiment: "src/index.ts" });
await bundleInternals("backends-server", { FakeMlflowServer: "test/backends/mlflow/fake-mlflow-server.ts" });

/** Starts the fake MLflow server in a child process; resolves to its URL and a way to stop it. */
async function startFakeServer() {
  const child = spawn(process.execPath, [join(import.meta.dirname, "fake-mlflow-child.mjs")], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.setEncoding("utf8");
  while (!out.includes("\n")) {
    const [chunk] = await Promise.race([
      once(child.stdout, "data"),
      once(child, "exit").then(() => {
        throw new Error("the fake MLflow server did not start");
      }),
    ]);
    out += chunk;
  }
  return {
    url: out.trim(),
    close: async () => {
      child.stdin.end();
      if (child.exitCode === null) await once(child, "exit");
    },
  };
}

const names = ["train/loss", "train/accuracy", "lr", "eval/loss"];
const point = (i) => ({ name: names[i & 3], value: Math.sin(i), step: i, timestamp: 1_700_000_000_000 + i });

// ---- bare TFRecord writer, byte-wise --------------------------------------------------------
// The simplest hand-written writer: CRC-32C a byte at a time, every field encoded per point.
const TABLE1 = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
  TABLE1[n] = c >>> 0;
}
function maskedBytewise(buf, from, to) {
  let crc = 0xffffffff;
  for (let i = from; i < to; i++) crc = TABLE1[(crc ^ buf[i]) & 0xff] ^ (crc >>> 8);
  crc = (crc ^ 0xffffffff) >>> 0;
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}
function varint(buf, at, v) {
  while (v >= 128) {
    buf[at++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[at++] = v;
  return at;
}
const vlen = (v) => (v < 128 ? 1 : v < 16384 ? 2 : v < 2097152 ? 3 : v < 268435456 ? 4 : 5);
function bareTensorboardBytewise(dir, n) {
  const fd = openSync(join(dir, "events.out.tfevents.bare1"), "w");
  const tags = names.map((t) => Buffer.from(t));
  const out = Buffer.allocUnsafe(BATCH * 80);
  for (let from = 0; from < n; from += BATCH) {
    let at = 0;
    for (let i = from; i < Math.min(n, from + BATCH); i++) {
      const p = point(i);
      const tag = tags[i & 3];
      const valueLen = 2 + tag.length + 5;
      const summaryLen = 2 + valueLen;
      const eventLen = 10 + vlen(p.step) + 2 + summaryLen;
      out.writeUInt32LE(eventLen, at);
      out.writeUInt32LE(0, at + 4);
      out.writeUInt32LE(maskedBytewise(out, at, at + 8), at + 8);
      at += 12;
      const data = at;
      out[at++] = 0x09;
      out.writeDoubleLE(p.timestamp / 1000, at);
      at += 8;
      out[at++] = 0x10;
      at = varint(out, at, p.step);
      out[at++] = 0x2a;
      out[at++] = summaryLen;
      out[at++] = 0x0a;
      out[at++] = valueLen;
      out[at++] = 0x0a;
      out[at++] = tag.length;
      at += tag.copy(out, at);
      out[at++] = 0x15;
      out.writeFloatLE(p.value, at);
      at += 4;
      out.writeUInt32LE(maskedBytewise(out, data, at), at);
      at += 4;
    }
    writeSync(fd, out, 0, at);
  }
  fdatasyncSync(fd);
  closeSync(fd);
}

// ---- bare TFRecord writer -------------------------------------------------------------------
// As fast as a hand-written writer gets in JS: CRC-32C eight bytes at a time (slicing-by-8), the
// bytes that depend only on the tag built once per tag, the frame head's CRC once per length,
// fields written through a DataView into one buffer, one writeSync per 4,096 points.
const T = new Int32Array(8 * 256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
  T[n] = c;
}
for (let n = 0; n < 256; n++)
  for (let t = 1; t < 8; t++) T[t * 256 + n] = (T[(t - 1) * 256 + n] >>> 8) ^ T[T[(t - 1) * 256 + n] & 0xff];
function masked(b, from, to) {
  let crc = -1;
  let i = from;
  for (; i <= to - 8; i += 8) {
    const a = crc ^ (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24));
    crc =
      T[1792 + (a & 0xff)] ^
      T[1536 + ((a >>> 8) & 0xff)] ^
      T[1280 + ((a >>> 16) & 0xff)] ^
      T[1024 + (a >>> 24)] ^
      T[768 + b[i + 4]] ^
      T[512 + b[i + 5]] ^
      T[256 + b[i + 6]] ^
      T[b[i + 7]];
  }
  for (; i < to; i++) crc = T[(crc ^ b[i]) & 0xff] ^ (crc >>> 8);
  crc = ~crc >>> 0;
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}
function bareTensorboard(dir, n) {
  const fd = openSync(join(dir, "events.out.tfevents.bare"), "w");
  // Per tag: summary key, length, value key, length, tag key, length, tag, simple_value key
  // (every name here is under 128 bytes: one-byte lengths).
  const tails = names.map((t) => {
    const tag = Buffer.from(t);
    return Uint8Array.from([0x2a, 2 + tag.length + 5 + 2, 0x0a, 2 + tag.length + 5, 0x0a, tag.length, ...tag, 0x15]);
  });
  const heads = new Map();
  const out = new Uint8Array(BATCH * 80);
  const view = new DataView(out.buffer);
  for (let from = 0; from < n; from += BATCH) {
    let at = 0;
    for (let i = from; i < Math.min(n, from + BATCH); i++) {
      const p = point(i);
      const tail = tails[i & 3];
      let step = p.step;
      const len = 10 + (step < 128 ? 1 : step < 16384 ? 2 : step < 2097152 ? 3 : 4) + tail.length + 4;
      let head = heads.get(len);
      if (head === undefined) {
        view.setUint32(at, len, true);
        view.setUint32(at + 4, 0, true);
        head = masked(out, at, at + 8);
        heads.set(len, head);
      }
      view.setUint32(at, len, true);
      view.setUint32(at + 4, 0, true);
      view.setUint32(at + 8, head, true);
      at += 12;
      const data = at;
      out[at] = 0x09;
      view.setFloat64(at + 1, p.timestamp / 1000, true);
      out[at + 9] = 0x10;
      at += 10;
      while (step >= 128) {
        out[at++] = (step & 127) | 128;
        step >>>= 7;
      }
      out[at++] = step;
      for (let k = 0; k < tail.length; k++) out[at + k] = tail[k];
      at += tail.length;
      view.setFloat32(at, p.value, true);
      at += 4;
      view.setUint32(at, masked(out, data, at), true);
      at += 4;
    }
    writeSync(fd, out, 0, at);
  }
  fdatasyncSync(fd);
  closeSync(fd);
}

// ---- bare better-sqlite3 ---------------------------------------------------------------------
function bareSqlite(dir, n) {
  const db = new Database(join(dir, "bare.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec(
    "CREATE TABLE metrics (run_id TEXT NOT NULL, worker_id INTEGER NOT NULL, name TEXT NOT NULL, step INTEGER NOT NULL, value REAL, timestamp INTEGER NOT NULL); CREATE INDEX m ON metrics (run_id, name, step)",
  );
  const insert = db.prepare("INSERT INTO metrics VALUES (?, ?, ?, ?, ?, ?)");
  const tx = db.transaction((from, to) => {
    for (let i = from; i < to; i++) {
      const p = point(i);
      insert.run("bare", 0, p.name, p.step, p.value, p.timestamp);
    }
  });
  for (let from = 0; from < n; from += BATCH) tx(from, Math.min(n, from + BATCH));
  db.close();
}

// ---- bare fetch loop ---------------------------------------------------------------------------
async function bareMlflow(server, n) {
  const post = async (path, body) => {
    const r = await fetch(`${server.url}/api/2.0/mlflow/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!r.ok) throw new Error(await r.text());
    return r.json();
  };
  const { experiment_id } = await post("experiments/create", { name: `bare-${Date.now()}-${Math.random()}` });
  const { run } = await post("runs/create", { experiment_id, start_time: Date.now() });
  for (let from = 0; from < n; from += 1000) {
    const metrics = [];
    for (let i = from; i < Math.min(n, from + 1000); i++) {
      const p = point(i);
      metrics.push({ key: p.name, value: p.value, timestamp: p.timestamp, step: p.step });
    }
    await post("runs/log-batch", { run_id: run.info.run_id, metrics, params: [], tags: [] });
  }
}

// ---- Tracelet --------------------------------------------------------------------------------
// The process's CPU time, ns (process.cpuUsage: getrusage, µs resolution; all of its threads,
// though only the main thread runs anything while the caller's loop does): on a shared machine,
// the wall clock of a 0.2 ms loop mostly measures who else ran meanwhile.
function cpuNs() {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
}

async function tracelet(backend, plugins, dir, n) {
  const exp = await startExperiment({ cwd: dir, project: "bench", logLevel: "silent", backends: [backend], plugins });
  const started = performance.now();
  const cpuStart = cpuNs();
  let callerMs = 0;
  let callerCpuNs = 0;
  for (let from = 0; from < n; from += BATCH) {
    const t = performance.now();
    const cpu = cpuNs();
    for (let i = from; i < Math.min(n, from + BATCH); i++) {
      const p = point(i);
      exp.logMetric(p.name, p.value, p.step, { timestamp: p.timestamp });
    }
    callerCpuNs += cpuNs() - cpu;
    callerMs += performance.now() - t;
    // A training loop yields between steps: the data path delivers in the background.
    await new Promise((r) => setImmediate(r));
  }
  await exp.stop();
  return {
    totalMs: performance.now() - started,
    cpuMs: (cpuNs() - cpuStart) / 1e6,
    callerMs,
    callerCpuMs: callerCpuNs / 1e6,
  };
}

async function timed(fn) {
  const t = performance.now();
  const cpu = cpuNs();
  await fn();
  const ms = performance.now() - t;
  if (process.env.BENCH_VERBOSE) console.error("bare", { totalMs: ms, cpuMs: (cpuNs() - cpu) / 1e6 });
  return ms;
}

const server = await startFakeServer();
const rows = [];
try {
  const cases = [
    {
      name: "tensorboard",
      n: N,
      bares: [
        { label: "bare TFRecord writer, byte-wise CRC", run: (dir) => bareTensorboardBytewise(dir, N) },
        {
          label: "bare TFRecord writer, tuned (slicing-by-8 CRC, bytes per tag cached)",
          run: (dir) => bareTensorboard(dir, N),
        },
      ],
      plugins: (dir) => ({ tensorboard: { logdir: join(dir, "tb") } }),
    },
    {
      name: "sqlite",
      n: N,
      bares: [{ label: "bare better-sqlite3 insert, one transaction per batch", run: (dir) => bareSqlite(dir, N) }],
      plugins: (dir) => ({ sqlite: { path: join(dir, "t.db") } }),
    },
    {
      name: "mlflow",
      n: N_MLFLOW,
      bares: [{ label: "bare fetch loop, 1,000-metric log-batch", run: () => bareMlflow(server, N_MLFLOW) }],
      plugins: () => ({ mlflow: { trackingUri: server.url } }),
    },
  ];
  for (const c of cases) {
    if (ONLY && !ONLY.includes(c.name)) continue;
    const bareBest = c.bares.map(() => Number.POSITIVE_INFINITY);
    let oursBest = Number.POSITIVE_INFINITY;
    let callerBest = Number.POSITIVE_INFINITY;
    let jsonlCaller = Number.POSITIVE_INFINITY;
    const runs = {
      bareMs: c.bares.map(() => []),
      traceletMs: [],
      callerNs: [],
      callerWallNs: [],
      jsonlCallerNs: [],
      jsonlCallerWallNs: [],
    };
    for (let r = 0; r < REPS; r++) {
      const dir = mkdtempSync(join(tmpdir(), "tracelet-bench-"));
      try {
        // Alternate which side goes first, so neither always runs on a warmer machine.
        const sides = [...c.bares.keys(), "ours", "jsonl"];
        for (const side of r % 2 === 0 ? sides : sides.reverse()) {
          if (side === "ours" || side === "jsonl") {
            const o =
              side === "ours"
                ? await tracelet(c.name, c.plugins(dir), dir, c.n)
                : await tracelet("jsonl", {}, dir, c.n);
            if (process.env.BENCH_VERBOSE) console.error(c.name, side, r, o);
            if (side === "ours") {
              runs.traceletMs.push(o.totalMs);
              runs.callerNs.push((o.callerCpuMs / c.n) * 1e6);
              runs.callerWallNs.push((o.callerMs / c.n) * 1e6);
              oursBest = Math.min(oursBest, o.totalMs);
              callerBest = Math.min(callerBest, o.callerCpuMs / c.n);
            } else {
              runs.jsonlCallerNs.push((o.callerCpuMs / c.n) * 1e6);
              runs.jsonlCallerWallNs.push((o.callerMs / c.n) * 1e6);
              jsonlCaller = Math.min(jsonlCaller, o.callerCpuMs / c.n);
            }
          } else {
            const ms = await timed(() => c.bares[side].run(dir));
            runs.bareMs[side].push(ms);
            bareBest[side] = Math.min(bareBest[side], ms);
          }
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    c.bares.forEach((bare, b) => {
      const row = {
        backend: c.name,
        points: c.n,
        bare: bare.label,
        bareMs: bareBest[b],
        traceletMs: oursBest,
        barePointsPerSec: (c.n / bareBest[b]) * 1000,
        traceletPointsPerSec: (c.n / oursBest) * 1000,
        ratio: bareBest[b] / oursBest,
        callerNsPerPoint: callerBest * 1e6,
        jsonlCallerNsPerPoint: jsonlCaller * 1e6,
        callerVsJsonl: callerBest / jsonlCaller,
        runs: { ...runs, bareMs: runs.bareMs[b] },
      };
      rows.push(row);
      console.log(JSON.stringify(row));
    });
  }
} finally {
  await server.close();
}

const machine = { cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, node: process.version, os: platform() };
const date = new Date().toISOString();
const k = (n) => Math.round(n).toLocaleString("en-US");
const median = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
const md = [
  "## Backends: end-to-end throughput",
  "",
  "Each built-in backend receives N points through a whole run (`startExperiment`, `logMetric` in",
  "loops of 4,096 that yield between them, `stop()`: every point delivered and synced), against a bare",
  "hand-written program doing the same with the same engine, in the same process and run: two bare",
  "TFRecord writers (hand-encoded events, own CRC-32C, one write per 4,096 points, fdatasync at the end:",
  "one byte-wise, one tuned with a slicing-by-8 CRC and the bytes of each tag built once); a bare",
  "`better-sqlite3` prepared insert, one transaction per 4,096 points (WAL); a bare `fetch` loop of",
  "1,000-metric `runs/log-batch` requests to the same fake MLflow server (the tests', in a child process).",
  `Sides alternate, with no forced GC between them; ${REPS} repetitions; ratio of the best times and of`,
  "the median times. Target: ratio ≥ 0.8×. *Caller ns per point* is the CPU time (process.cpuUsage)",
  "spent inside the `logMetric` loop only, best of the repetitions, beside the same loop sending the",
  "same points to `jsonl` in the same repetitions: a backend should add nothing to it, since the",
  "caller never waits on a backend.",
  "",
  "| backend | points | bare program | bare points/s | Tracelet points/s | ratio, best (target ≥ 0.8) | ratio, medians | caller CPU ns per point | jsonl's | × jsonl's |",
  "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
  ...rows.map(
    (r) =>
      `| ${r.backend} | ${k(r.points)} | ${r.bare} | ${k(r.barePointsPerSec)} | ${k(r.traceletPointsPerSec)} | ${r.ratio.toFixed(2)} | ${(median(r.runs.bareMs) / median(r.runs.traceletMs)).toFixed(2)} | ${r.callerNsPerPoint.toFixed(0)} | ${r.jsonlCallerNsPerPoint.toFixed(0)} | ${r.callerVsJsonl.toFixed(2)} |`,
  ),
  "",
  `Machine: ${machine.cpu} × ${machine.cores}, Node ${machine.node}, ${machine.os}. Date: ${date}.`,
];
// A partial run (BENCH_BACKENDS) leaves the published results alone.
if (!ONLY) {
  mkdirSync(results, { recursive: true });
  writeFileSync(join(results, "backends.md"), `${md.join("\n")}\n`);
  writeFileSync(join(results, "backends.json"), `${JSON.stringify({ machine, date, rows }, null, 2)}\n`);
}
console.log(md.join("\n"));
