// Viewer benchmark: (a) listing 1,000 runs with `tracelet runs --json` against a bare read of
// every run's metrics.jsonl, both in fresh processes, with the runs directory's listing index
// (.tracelet-listing.json) as the previous listing left it, and without one (the first listing,
// which writes it); the UI's `/api/runs` (which the page asks again every 2 s) against the same
// bare read in this process, with nothing changed and with one run changed before each request;
// (b) the chart data of a 10M-point run (`/api/series` of `tracelet ui`, width 1,000) against a
// bare read of its metrics file, both
// in this process after one warm-up; (c) points sent per series against the chart width.
// The runs are written by the real jsonl backend (dist/), the 1,000 as copies of one run under
// new ids. Sizes: BENCH_VIEWER_RUNS (1000), BENCH_VIEWER_POINTS (10000000).
import { execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { get } from "node:http";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const work = join(here, "..", ".work", "viewer");
const results = join(here, "..", "results");
const RUNS = Number(process.env.BENCH_VIEWER_RUNS ?? 1000);
const POINTS = Number(process.env.BENCH_VIEWER_POINTS ?? 10_000_000);
const ROUNDS = 5;
const WIDTH = 1000;
const cli = join(root, "dist/cli/main.js");
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function node(script) {
  const t = process.hrtime.bigint();
  execFileSync(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "ignore", "inherit"] });
  return Number(process.hrtime.bigint() - t) / 1e6;
}

function writeRuns(dir, n, points, project) {
  const script = `
    import { startExperiment } from ${JSON.stringify(join(root, "dist/index.js"))};
    for (let r = 0; r < ${n}; r++) {
      const exp = await startExperiment({ cwd: ${JSON.stringify(dir)}, project: ${JSON.stringify(project)}, logLevel: "silent" });
      await exp.logParams({ lr: 0.001 * (r + 1), layers: r % 4 });
      for (let i = 0; i < ${points}; i++) {
        exp.logMetrics({ loss: 1 / (i + 1) + Math.random() * 0.01, acc: i / ${points} }, i);
        if (i % 65536 === 65535) await exp.flush();
      }
      await exp.stop();
    }`;
  node(script);
}

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

// (a) 1,000 runs of 5,000 points of 2 metrics each.
const listDir = join(work, "list");
writeRuns(listDir, 1, 5000, "many");
const runsDir = join(listDir, "tracelet-runs");
const [first] = readdirSync(join(runsDir, "many"));
for (let r = 1; r < RUNS; r++) {
  const id = `${first.slice(0, -6)}${String(r).padStart(6, "0")}`;
  cpSync(join(runsDir, "many", first), join(runsDir, "many", id), { recursive: true });
  const runFile = join(runsDir, "many", id, "run.json");
  writeFileSync(runFile, readFileSync(runFile, "utf8").replace(first, id));
}
const bareList = `
  import { readdirSync, readFileSync } from "node:fs";
  const base = ${JSON.stringify(join(runsDir, "many"))};
  let n = 0;
  for (const id of readdirSync(base)) n += readFileSync(base + "/" + id + "/metrics.jsonl").length;`;
const listRuns = () => {
  const t = process.hrtime.bigint();
  execFileSync(process.execPath, [cli, "runs", "--json", "--dir", runsDir], {
    stdio: ["ignore", "ignore", "inherit"],
    maxBuffer: 1 << 30,
  });
  return Number(process.hrtime.bigint() - t) / 1e6;
};
// Runs are listed once they are over a second old, as a user's are: a run directory changed
// within a second of a listing is read again by the next (the file system clock's "racy" case).
await sleep(1100);
const emptyNode = median(Array.from({ length: ROUNDS }, () => node("")));
const bare = [];
const list = [];
const cold = [];
for (let i = 0; i < ROUNDS; i++) {
  bare.push(node(bareList));
  rmSync(join(runsDir, ".tracelet-listing.json"), { force: true });
  cold.push(listRuns());
  list.push(listRuns());
}
const bareListHere = () => {
  const base = join(runsDir, "many");
  const t = process.hrtime.bigint();
  let n = 0;
  for (const id of readdirSync(base)) n += readFileSync(join(base, id, "metrics.jsonl")).length;
  if (n === 0) throw new Error("no metrics read");
  return Number(process.hrtime.bigint() - t) / 1e6;
};
const listed = JSON.parse(
  execFileSync(process.execPath, [cli, "runs", "--json", "--dir", runsDir], { maxBuffer: 1 << 30 }).toString(),
).length;

// A request on a connection of its own: a keep-alive connection idle through a long bare read
// may be closed by the server just as the next request goes out.
const getText = (u) =>
  new Promise((resolve, reject) => {
    get(u, { agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => {
        body += c;
      });
      res.on("end", () => resolve(body));
    }).on("error", reject);
  });
const startUi = async (dir) => {
  const child = spawn(process.execPath, [cli, "ui", "--dir", dir, "--port", "0"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise((resolve) => {
    child.stdout.on("data", (c) => {
      const m = /http:\/\/\S+\//.exec(String(c));
      if (m) resolve(m[0]);
    });
  });
  return { child, url };
};
const timed = async (u) => {
  const t = process.hrtime.bigint();
  const body = await getText(u);
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, body };
};
const listUi = await startUi(runsDir);
await timed(`${listUi.url}api/runs`);
bareListHere();
const uiList = [];
const uiBare = [];
for (let i = 0; i < ROUNDS; i++) {
  uiList.push((await timed(`${listUi.url}api/runs`)).ms);
  uiBare.push(bareListHere());
}
// (a'') the same, with one run changed before each request, as a live run changes its directory
// every few seconds: its params.json replaced by a rename, as the jsonl backend replaces files.
const changedRun = join(runsDir, "many", first);
const uiChanged = [];
let changesSeen = 0;
for (let i = 0; i < ROUNDS; i++) {
  writeFileSync(join(changedRun, "params.json.tmp"), JSON.stringify({ lr: 0.001, layers: 100 + i }));
  renameSync(join(changedRun, "params.json.tmp"), join(changedRun, "params.json"));
  const answer = await timed(`${listUi.url}api/runs`);
  uiChanged.push(answer.ms);
  if (answer.body.includes(`"layers":${100 + i}`)) changesSeen++;
  bareListHere();
}
listUi.child.kill();

// (b) one run of POINTS points of one metric.
const longDir = join(work, "long");
const script = `
  import { startExperiment } from ${JSON.stringify(join(root, "dist/index.js"))};
  const exp = await startExperiment({ cwd: ${JSON.stringify(longDir)}, project: "long", logLevel: "silent" });
  for (let i = 0; i < ${POINTS}; i++) {
    exp.logMetric("loss", Math.exp(-i / ${POINTS / 5}) + 0.05 * Math.sin(i / 7) + (i % 1000003 === 0 ? 5 : 0), i);
    if (i % 65536 === 65535) await exp.flush();
  }
  await exp.stop();`;
node(script);
const longRuns = join(longDir, "tracelet-runs");
const [longId] = readdirSync(join(longRuns, "long"));
const metricsFile = join(longRuns, "long", longId, "metrics.jsonl");
const { child: ui, url } = await startUi(longRuns);
const series = (q) => timed(`${url}api/series?run=${longId}&metric=loss&width=${WIDTH}${q}`);
const bareRead = () => {
  const t = process.hrtime.bigint();
  readFileSync(metricsFile);
  return Number(process.hrtime.bigint() - t) / 1e6;
};
await series("");
bareRead();
const seriesMs = [];
const bareMs = [];
let answer;
for (let i = 0; i < ROUNDS; i++) {
  const s = await series("");
  seriesMs.push(s.ms);
  answer = JSON.parse(s.body)[0];
  bareMs.push(bareRead());
}
const zoom = await series(`&from=${Math.floor(POINTS / 2)}&to=${Math.floor(POINTS / 2) + 500}`);
const zoomed = JSON.parse(zoom.body)[0];
ui.kill();

const fileMB = readFileSync(metricsFile).length / 1e6;
const rows = {
  list: {
    runs: listed,
    ms: median(list),
    bareMs: median(bare),
    nodeStartMs: emptyNode,
    ratio: median(list) / median(bare),
    floorRatio: emptyNode / median(bare),
    coldMs: median(cold),
    coldRatio: median(cold) / median(bare),
    uiMs: median(uiList),
    uiBareMs: median(uiBare),
    uiRatio: median(uiList) / median(uiBare),
    uiChangedMs: median(uiChanged),
    uiChangedRatio: median(uiChanged) / median(uiBare),
    uiChangesSeen: changesSeen,
  },
  series: {
    points: POINTS,
    fileMB,
    ms: median(seriesMs),
    bareMs: median(bareMs),
    ratio: median(seriesMs) / median(bareMs),
    sent: answer.step.length,
    width: WIDTH,
    perWidth: answer.step.length / WIDTH,
    spikeKept: Math.max(...answer.value) >= 5,
    zoomFull: zoomed.full,
    zoomPoints: zoomed.step.length,
    zoomMs: zoom.ms,
  },
};
const date = new Date().toISOString().slice(0, 10);
const machine = `${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, Node ${process.version}`;
const f = (x) => x.toFixed(x < 10 ? 2 : 0);
const md = `## Viewer (bench/viewer)

Measured ${date} on ${machine}. Medians of ${ROUNDS} rounds.

| figure | viewer | baseline | ratio | target |
| --- | --- | --- | --- | --- |
| (a) list ${rows.list.runs} runs (\`tracelet runs --json\`, fresh process, listing index as the last listing left it) vs a bare read of every run's metrics.jsonl (fresh process) | ${f(rows.list.ms)} ms | ${f(rows.list.bareMs)} ms | **${rows.list.ratio.toFixed(3)}×** | ≤ 0.05× |
| (a₀) the same, no listing index yet (the first listing: reads every run's metadata, writes the index) | ${f(rows.list.coldMs)} ms | ${f(rows.list.bareMs)} ms | **${rows.list.coldRatio.toFixed(3)}×** | |
| floor of (a): a fresh \`node\` process that does nothing | ${f(emptyNode)} ms | ${f(rows.list.bareMs)} ms | **${rows.list.floorRatio.toFixed(3)}×** | |
| (a') the same ${rows.list.runs} runs as the UI lists them again (\`/api/runs\` of a running \`tracelet ui\`) vs the same bare read in a warm process | ${f(rows.list.uiMs)} ms | ${f(rows.list.uiBareMs)} ms | **${rows.list.uiRatio.toFixed(3)}×** | ≤ 0.05× |
| (a'') the same, one run changed before each request (its params.json replaced by a rename; the change was in ${rows.list.uiChangesSeen} of ${ROUNDS} answers) | ${f(rows.list.uiChangedMs)} ms | ${f(rows.list.uiBareMs)} ms | **${rows.list.uiChangedRatio.toFixed(3)}×** | |
| (b) chart data of a ${(POINTS / 1e6).toFixed(0)}M-point run (${f(fileMB)} MB), \`/api/series\` width ${WIDTH}, vs a bare \`readFileSync\` of its metrics file | ${f(rows.series.ms)} ms | ${f(rows.series.bareMs)} ms | **${rows.series.ratio.toFixed(3)}×** | ≤ 0.1× |
| (c) points sent per series / chart width | ${rows.series.sent} points | ${WIDTH} px | **${rows.series.perWidth.toFixed(2)}×** | ≤ 4× |

A fresh \`node\` process that does nothing takes ${f(emptyNode)} ms here (paid by both sides of (a)); the CLI's own part of (a) is ${f(rows.list.ms - emptyNode)} ms. The spike
logged every 1,000,003 points is ${rows.series.spikeKept ? "kept" : "LOST"} in the downsampled series. Zooming to 500 steps
answers ${rows.series.zoomPoints} points at full resolution (\`full: ${rows.series.zoomFull}\`) in ${f(rows.series.zoomMs)} ms.
`;
mkdirSync(results, { recursive: true });
writeFileSync(join(results, "viewer.md"), md);
writeFileSync(join(results, "viewer.json"), `${JSON.stringify({ date, machine, rounds: ROUNDS, rows }, null, 2)}\n`);
console.log(md);
if (!existsSync(work)) process.exitCode = 1;
