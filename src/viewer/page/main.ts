/// <reference lib="dom" />
// The viewer's page: runs table, metric charts (uPlot), live updates. Bundled by
// scripts/build.mjs into dist/viewer/page.js with uPlot, so it loads nothing from elsewhere. In a
// report the data is inline (#tracelet-report) and nothing is fetched.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import "./page.css";
import { parseFilter } from "../filter.js";
import { formatDuration, formatValue } from "../format.js";
import type { Series } from "../readers/reader.js";
import type { ListedRun } from "../server/server.js";
import { debiasedEma } from "./smoothing.js";
import { readState, type ViewState, writeState } from "./state.js";

/** A run of the table: as `/api/runs` sends it, or as a report embeds it (the whole run). */
type Row = ListedRun;
const COLORS = [
  "#1f77b4",
  "#d62728",
  "#2ca02c",
  "#ff7f0e",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#17becf",
  "#bcbd22",
  "#7f7f7f",
];
const DEFAULT_SELECTED = 5;

const reportEl = document.getElementById("tracelet-report");
const report = reportEl
  ? (JSON.parse(reportEl.textContent ?? "{}") as { runs: Row[]; series: Series[]; generatedAt: string })
  : undefined;
let state: ViewState = readState(location.hash);
let rows: Row[] = report ? report.runs : [];
/** Series per `run\u0000metric`, one per worker. */
const series = new Map<string, Series[]>();
/** Charts per metric, and whether each is zoomed in (a zoomed chart takes no live points). */
const charts = new Map<string, { plot: uPlot; zoomed: boolean; el: HTMLElement }>();
let events: EventSource | undefined;
let redrawTimer: number | undefined;

const app = document.getElementById("app") as HTMLElement;
app.innerHTML = `
<header><h1>Tracelet</h1>${report ? `<span class="note">report generated ${esc(report.generatedAt)}</span>` : '<span class="note live">live</span>'}</header>
<section class="filters"><input id="where" placeholder="filter runs: params.lr < 0.01 and status = finished" spellcheck="false"><span id="where-error" class="error"></span></section>
<div class="table-wrap"><table id="runs"><thead></thead><tbody></tbody></table></div>
<section class="controls">
  <label>x <select id="x"><option value="step">step</option><option value="wall">wall time</option><option value="relative">relative time</option></select></label>
  <label><input type="checkbox" id="log"> log scale</label>
  <label>smoothing <input type="range" id="smooth" min="0" max="0.99" step="0.01"> <output id="smooth-value"></output></label>
  <input id="metric-filter" placeholder="filter metrics" spellcheck="false">
</section>
<section id="charts"></section>`;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const whereInput = $<HTMLInputElement>("where");
const xSelect = $<HTMLSelectElement>("x");
const logBox = $<HTMLInputElement>("log");
const smoothRange = $<HTMLInputElement>("smooth");
const metricFilter = $<HTMLInputElement>("metric-filter");
whereInput.value = state.where;
xSelect.value = state.x;
logBox.checked = state.log;
smoothRange.value = String(state.smooth);
metricFilter.value = state.metrics;
$<HTMLOutputElement>("smooth-value").textContent = state.smooth.toFixed(2);

function setState(patch: Partial<ViewState>, rebuild: "table" | "charts" | "all" | "none" = "all"): void {
  state = { ...state, ...patch };
  history.replaceState(null, "", writeState(state));
  if (rebuild === "table" || rebuild === "all") renderTable();
  if (rebuild === "charts" || rebuild === "all") void renderCharts();
}

whereInput.addEventListener("input", () => setState({ where: whereInput.value }, "table"));
xSelect.addEventListener("change", () => setState({ x: xSelect.value as ViewState["x"] }, "charts"));
logBox.addEventListener("change", () => setState({ log: logBox.checked }, "charts"));
smoothRange.addEventListener("input", () => {
  $<HTMLOutputElement>("smooth-value").textContent = Number(smoothRange.value).toFixed(2);
  setState({ smooth: Number(smoothRange.value) }, "none");
  redrawAll();
});
metricFilter.addEventListener("input", () => setState({ metrics: metricFilter.value }, "charts"));

function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function selected(): string[] {
  if (state.runs.length > 0) return state.runs.filter((id) => rows.some((r) => r.id === id));
  return rows.slice(0, DEFAULT_SELECTED).map((r) => r.id);
}

function visibleRows(): Row[] {
  let keep: (r: Row) => boolean;
  try {
    keep = parseFilter(state.where);
    $("where-error").textContent = "";
  } catch (error) {
    $("where-error").textContent = (error as Error).message.split(". ")[0];
    keep = () => true;
  }
  const key = state.sort;
  const value = (r: Row): unknown =>
    key.startsWith("params.")
      ? r.params[key.slice(7)]
      : key.startsWith("metrics.")
        ? r.metrics[key.slice(8)]?.last
        : (r as unknown as Record<string, unknown>)[key];
  return rows.filter(keep).sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    const c =
      typeof va === "number" && typeof vb === "number" ? va - vb : String(va ?? "").localeCompare(String(vb ?? ""));
    return state.desc ? -c : c;
  });
}

function renderTable(): void {
  const visible = visibleRows();
  const params = [...new Set(rows.flatMap((r) => Object.keys(r.params)))].sort();
  const metrics = [...new Set(rows.flatMap((r) => Object.keys(r.metrics)))].sort();
  const cols: [string, string][] = [
    ["id", "run"],
    ["name", "name"],
    ["status", "status"],
    ["startedAt", "started"],
    ["durationMs", "duration"],
    ...params.map((p): [string, string] => [`params.${p}`, p]),
    ...metrics.map((m): [string, string] => [`metrics.${m}`, m]),
  ];
  const thead = document.querySelector("#runs thead") as HTMLElement;
  thead.innerHTML = `<tr><th></th>${cols
    .map(
      ([k, label]) =>
        `<th data-sort="${esc(k)}" class="${k.startsWith("metrics.") ? "metric" : k.startsWith("params.") ? "param" : ""}">${esc(label)}${state.sort === k ? (state.desc ? " ▾" : " ▴") : ""}</th>`,
    )
    .join("")}</tr>`;
  const chosen = new Set(selected());
  const tbody = document.querySelector("#runs tbody") as HTMLElement;
  tbody.innerHTML = visible
    .map((r) => {
      const i = selected().indexOf(r.id);
      const swatch = i >= 0 ? `<span class="swatch" style="background:${COLORS[i % COLORS.length]}"></span>` : "";
      return `<tr data-run="${esc(r.id)}"><td><input type="checkbox" ${chosen.has(r.id) ? "checked" : ""} ${report ? "disabled" : ""}>${swatch}</td><td class="mono">${esc(r.id)}</td><td>${esc(r.name)}</td><td><span class="status ${esc(r.status)}">${esc(r.status)}</span></td><td>${esc((r.startedAt ?? "").replace("T", " ").slice(0, 19))}</td><td>${esc(formatDuration(r.durationMs))}</td>${params
        .map((p) => `<td>${esc(formatValue(r.params[p]))}</td>`)
        .join("")}${metrics.map((m) => `<td class="num">${esc(formatValue(r.metrics[m]?.last))}</td>`).join("")}</tr>`;
    })
    .join("");
  if (visible.length === 0) tbody.innerHTML = `<tr><td colspan="${cols.length + 1}" class="empty">no runs</td></tr>`;
}

document.querySelector("#runs thead")?.addEventListener("click", (e) => {
  const th = (e.target as HTMLElement).closest("th");
  const key = th?.dataset.sort;
  if (key) setState({ sort: key, desc: state.sort === key ? !state.desc : true }, "table");
});
document.querySelector("#runs tbody")?.addEventListener("change", (e) => {
  const tr = (e.target as HTMLElement).closest("tr");
  const id = tr?.dataset.run;
  if (!id) return;
  const now = new Set(selected());
  if ((e.target as HTMLInputElement).checked) now.add(id);
  else now.delete(id);
  setState({ runs: rows.map((r) => r.id).filter((r) => now.has(r)) });
  follow();
});

function metricNames(): string[] {
  const names = new Set<string>();
  for (const id of selected()) for (const m of Object.keys(rows.find((r) => r.id === id)?.metrics ?? {})) names.add(m);
  const filter = state.metrics.toLowerCase();
  return [...names].filter((n) => n.toLowerCase().includes(filter)).sort();
}

function group(name: string): string {
  const i = name.indexOf("/");
  return i > 0 ? name.slice(0, i) : "metrics";
}

async function fetchSeries(run: string, metric: string, width: number, from?: number, to?: number): Promise<Series[]> {
  if (report) return report.series.filter((s) => s.run === run && s.metric === metric);
  const q = new URLSearchParams({ run, metric, width: String(Math.round(width)) });
  if (from !== undefined) q.set("from", String(Math.floor(from)));
  if (to !== undefined) q.set("to", String(Math.ceil(to)));
  const res = await fetch(`/api/series?${q}`);
  if (!res.ok) return [];
  const list = (await res.json()) as Series[];
  for (const s of list) s.value = s.value.map(Number);
  return list;
}

function chartWidth(): number {
  return Math.max(300, Math.min(900, Math.floor(($("charts").clientWidth || 900) / 2) - 40));
}

async function renderCharts(): Promise<void> {
  const root = $("charts");
  for (const c of charts.values()) c.plot.destroy();
  charts.clear();
  root.innerHTML = "";
  const names = metricNames();
  const groups = new Map<string, string[]>();
  for (const n of names) groups.set(group(n), [...(groups.get(group(n)) ?? []), n]);
  const width = chartWidth();
  await Promise.all(
    selected().flatMap((run) =>
      names.map(async (metric) => {
        const key = `${run}\u0000${metric}`;
        if (!series.has(key)) series.set(key, await fetchSeries(run, metric, width));
      }),
    ),
  );
  for (const [g, members] of groups) {
    const details = document.createElement("details");
    details.open = true;
    details.className = "group";
    details.innerHTML = `<summary>${esc(g)} <span class="count">${members.length}</span></summary><div class="grid"></div>`;
    root.append(details);
    const grid = details.querySelector(".grid") as HTMLElement;
    for (const metric of members) {
      const el = document.createElement("div");
      el.className = "chart";
      el.dataset.metric = metric;
      grid.append(el);
      charts.set(metric, { plot: makePlot(el, metric, width), zoomed: false, el });
      markPoints(el, metric);
    }
  }
  if (names.length === 0) root.innerHTML = '<p class="empty">no metrics for the selected runs</p>';
}

/** The chart's data: one x column joined over every run and worker, raw and smoothed y per series. */
function chartData(metric: string): {
  data: uPlot.AlignedData;
  labels: { label: string; color: string; smooth: boolean }[];
} {
  const tables: uPlot.AlignedData[] = [];
  const labels: { label: string; color: string; smooth: boolean }[] = [];
  selected().forEach((run, i) => {
    const row = rows.find((r) => r.id === run);
    const start = row?.startedAt ? Date.parse(row.startedAt) : Number.NaN;
    for (const s of series.get(`${run}\u0000${metric}`) ?? []) {
      const order = s.step.map((_, k) => k);
      const xs = s.step.map((step, k) =>
        state.x === "step"
          ? step
          : state.x === "wall"
            ? s.time[k] / 1000
            : (s.time[k] - (Number.isNaN(start) ? s.time[0] : start)) / 1000,
      );
      order.sort((a, b) => xs[a] - xs[b]);
      const x = order.map((k) => xs[k]);
      const y = order.map((k) => {
        const v = Number(s.value[k]);
        return !Number.isFinite(v) || (state.log && v <= 0) ? null : v;
      });
      const label = `${row?.name ?? run}${s.worker !== "main" ? ` [${s.worker}]` : ""}`;
      const color = COLORS[i % COLORS.length];
      if (state.smooth > 0) {
        tables.push([x, y] as uPlot.AlignedData, [x, debiasedEma(y, state.smooth)] as uPlot.AlignedData);
        labels.push({ label: `${label} (raw)`, color, smooth: false }, { label, color, smooth: true });
      } else {
        tables.push([x, y] as uPlot.AlignedData);
        labels.push({ label, color, smooth: true });
      }
    }
  });
  if (tables.length === 0) return { data: [[]], labels };
  return { data: uPlot.join(tables), labels };
}

function makePlot(el: HTMLElement, metric: string, width: number): uPlot {
  const { data, labels } = chartData(metric);
  const time = state.x === "wall";
  const opts: uPlot.Options = {
    title: metric,
    width,
    height: 240,
    scales: { x: { time }, y: { distr: state.log ? 3 : 1 } },
    axes: [{ label: state.x === "step" ? "step" : state.x === "relative" ? "seconds" : undefined }, {}],
    series: [
      { label: state.x },
      ...labels.map((l) => ({
        label: l.label,
        stroke: l.smooth ? l.color : `${l.color}44`,
        width: l.smooth ? 1.5 : 1,
        spanGaps: true,
        points: { show: false },
      })),
    ],
    legend: { show: true },
    cursor: { drag: { x: true, y: false } },
    hooks: report ? {} : { setSelect: [(u: uPlot) => void zoom(metric, u)] },
  };
  const plot = new uPlot(opts, data, el);
  if (!report) plot.over.addEventListener("dblclick", () => void unzoom(metric));
  return plot;
}

function redraw(metric: string): void {
  const c = charts.get(metric);
  if (!c) return;
  c.plot.setData(chartData(metric).data, !c.zoomed);
  markPoints(c.el, metric);
}

/** The points a chart holds, on its element: what a test (or a curious user) can read. */
function markPoints(el: HTMLElement, metric: string): void {
  el.dataset.points = String(
    selected().reduce(
      (n, run) => n + (series.get(`${run}\u0000${metric}`) ?? []).reduce((k, s) => k + s.step.length, 0),
      0,
    ),
  );
}

function redrawAll(): void {
  for (const m of charts.keys()) redraw(m);
}

/** Zoom: the series of the selected x range fetched again, at full resolution when few points. */
async function zoom(metric: string, u: uPlot): Promise<void> {
  if (u.select.width < 2) return;
  const lo = u.posToVal(u.select.left, "x");
  const hi = u.posToVal(u.select.left + u.select.width, "x");
  const c = charts.get(metric);
  if (!c) return;
  c.zoomed = true;
  const width = chartWidth();
  for (const run of selected()) {
    const key = `${run}\u0000${metric}`;
    const have = series.get(key) ?? [];
    let from = lo;
    let to = hi;
    if (state.x !== "step") {
      // Time axes: the steps of the points inside the range.
      const row = rows.find((r) => r.id === run);
      const start = row?.startedAt ? Date.parse(row.startedAt) : 0;
      const steps = have.flatMap((s) =>
        s.step.filter((_, k) => {
          const x = state.x === "wall" ? s.time[k] / 1000 : (s.time[k] - start) / 1000;
          return x >= lo && x <= hi;
        }),
      );
      if (steps.length === 0) continue;
      from = Math.min(...steps);
      to = Math.max(...steps);
    }
    series.set(key, await fetchSeries(run, metric, width, from, to));
  }
  c.plot.setData(chartData(metric).data, false);
  c.plot.setScale("x", { min: lo, max: hi });
  markPoints(c.el, metric);
}

async function unzoom(metric: string): Promise<void> {
  const c = charts.get(metric);
  if (!c) return;
  c.zoomed = false;
  for (const run of selected()) series.set(`${run}\u0000${metric}`, await fetchSeries(run, metric, chartWidth()));
  c.plot.setData(chartData(metric).data, true);
}

function follow(): void {
  if (report) return;
  events?.close();
  events = new EventSource(`/api/events?runs=${encodeURIComponent(selected().join(","))}`);
  events.addEventListener("points", (e) => {
    const batch = JSON.parse((e as MessageEvent).data) as {
      run: string;
      worker: string;
      points: { name: string; value: number | string; step: number; timestamp: number }[];
    };
    let added = false;
    for (const p of batch.points) {
      const key = `${batch.run}\u0000${p.name}`;
      const list = series.get(key);
      if (!list) {
        added = true;
        continue;
      }
      let s = list.find((x) => x.worker === batch.worker);
      if (!s) {
        s = {
          run: batch.run,
          metric: p.name,
          worker: batch.worker,
          step: [],
          value: [],
          time: [],
          total: 0,
          full: true,
        };
        list.push(s);
      }
      s.step.push(p.step);
      s.value.push(Number(p.value));
      s.time.push(p.timestamp);
      s.total++;
    }
    if (added) void refreshRows().then(() => renderCharts());
    scheduleRedraw();
  });
  events.addEventListener("runs", (e) => setRows(JSON.parse((e as MessageEvent).data) as Row[]));
}

function scheduleRedraw(): void {
  if (redrawTimer !== undefined) return;
  redrawTimer = window.setTimeout(() => {
    redrawTimer = undefined;
    for (const [m, c] of charts) if (!c.zoomed) redraw(m);
  }, 250);
}

async function refreshRows(): Promise<void> {
  const res = await fetch("/api/runs");
  setRows((await res.json()) as Row[]);
}

/** Takes a runs table from the server (non-finite last values come as strings). */
function setRows(listed: Row[]): void {
  rows = listed;
  for (const r of rows) for (const m of Object.values(r.metrics)) m.last = Number(m.last);
  renderTable();
}

async function main(): Promise<void> {
  if (!report) await refreshRows();
  else renderTable();
  await renderCharts();
  follow();
  document.body.dataset.ready = "1";
}

void main();
