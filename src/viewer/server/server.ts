import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { hostname } from "node:os";
import { isTraceletError } from "../../core/errors.js";
import type { RunReader, RunRow } from "../readers/reader.js";
import { type PageAssets, pageAssets, pageHtml } from "./assets.js";

/** Options of {@link startViewerServer}. */
export interface ViewerServerOptions {
  /** Where the runs are read from. */
  reader: RunReader;
  /** Address to listen on (default `127.0.0.1`). */
  host?: string;
  /** Port (default 5454; 0 picks a free one). */
  port?: number;
  /** How often the live page gets the runs table again, ms (default 2,000). */
  tableIntervalMs?: number;
  /** The page bundle (default: the one built into `dist/viewer/`). */
  assets?: PageAssets;
}

/** A running viewer server. */
export interface ViewerServer {
  /** The page's address, e.g. `http://127.0.0.1:5454/`. */
  url: string;
  /** The port listened on. */
  port: number;
  /** Stops listening and ends every live connection. */
  close(): Promise<void>;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);
const MAX_WIDTH = 4000;

/**
 * Starts the `tracelet ui` server: the page, its bundled assets, and a JSON API over a
 * {@link RunReader} (runs, one run, a series downsampled to the chart's width, server-sent
 * events with new points). It answers only requests whose `Host` header names this server
 * (a page on another site cannot read it through DNS rebinding), serves no file by path (runs
 * are looked up by id among those the reader lists, so nothing outside the runs directory is
 * reachable), and sets a Content-Security-Policy that forbids the page any other origin.
 *
 * @param options - reader, host, port
 * @returns the server, listening
 */
export async function startViewerServer(options: ViewerServerOptions): Promise<ViewerServer> {
  const host = options.host ?? "127.0.0.1";
  const assets = options.assets ?? pageAssets();
  const live = new Set<ServerResponse>();
  let port = options.port ?? 5454;
  const allowed = () => allowedHosts(host, port);
  const server: Server = createServer((req, res) => {
    handle(req, res, {
      reader: options.reader,
      assets,
      allowed: allowed(),
      live,
      tableIntervalMs: options.tableIntervalMs ?? 2000,
    }).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { error: isTraceletError(error) ? error.code : "internal error" });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  port = typeof address === "object" && address ? address.port : port;
  const shown = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/`,
    port,
    close: async () => {
      for (const res of live) res.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface Context {
  reader: RunReader;
  assets: PageAssets;
  allowed: Set<string>;
  live: Set<ServerResponse>;
  tableIntervalMs: number;
}

async function handle(req: IncomingMessage, res: ServerResponse, ctx: Context): Promise<void> {
  const hostHeader = (req.headers.host ?? "").toLowerCase();
  if (!ctx.allowed.has(hostHeader)) return send(res, 403, { error: `forbidden host "${req.headers.host ?? ""}"` });
  if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, { error: "method not allowed" });
  const url = new URL(req.url ?? "/", "http://viewer.invalid");
  const path = url.pathname;
  if (path === "/") return sendText(res, 200, "text/html; charset=utf-8", pageHtml({ title: "Tracelet runs" }));
  if (path === "/assets/page.js") return sendText(res, 200, "text/javascript; charset=utf-8", ctx.assets.js);
  if (path === "/assets/page.css") return sendText(res, 200, "text/css; charset=utf-8", ctx.assets.css);
  if (path === "/api/runs") {
    const project = url.searchParams.get("project") ?? undefined;
    return sendText(res, 200, JSON_TYPE, listBody(listJson(await ctx.reader.listRuns({ project }))));
  }
  if (path === "/api/series") {
    const run = await findRun(ctx.reader, url.searchParams.get("run") ?? "");
    const metric = url.searchParams.get("metric");
    if (!run || metric === null) return send(res, 404, { error: "no such run or metric" });
    const num = (k: string) => {
      const v = url.searchParams.get(k);
      return v === null || v === "" || Number.isNaN(Number(v)) ? undefined : Number(v);
    };
    const width = Math.min(MAX_WIDTH, Math.max(1, num("width") ?? 1000));
    return send(res, 200, await ctx.reader.readSeries(run, metric, { from: num("from"), to: num("to"), width }));
  }
  if (path === "/api/events")
    return events(req, res, ctx, (url.searchParams.get("runs") ?? "").split(",").filter(Boolean));
  if (path.startsWith("/api/runs/")) {
    const run = await findRun(ctx.reader, decodeURIComponent(path.slice("/api/runs/".length)));
    return run ? send(res, 200, strip(run)) : send(res, 404, { error: "no such run" });
  }
  return send(res, 404, { error: "not found" });
}

/** A run by exact id among those listed: never a path, so nothing outside the runs directory. */
async function findRun(reader: RunReader, id: string): Promise<RunRow | undefined> {
  if (id === "") return undefined;
  return (await reader.listRuns()).find((r) => r.id === id);
}

/** Server-sent events: `points` with new points of the runs followed, `runs` with the table. */
async function events(req: IncomingMessage, res: ServerResponse, ctx: Context, ids: string[]): Promise<void> {
  const stops: (() => void)[] = [];
  const queued: string[] = [];
  let open = false;
  const emit = (text: string) => (open ? res.write(text) : queued.push(text));
  const runs = await ctx.reader.listRuns();
  // Followers start before the response does: a point written once the client has its headers
  // is always sent.
  for (const id of ids.slice(0, 64)) {
    const run = runs.find((r) => r.id === id);
    if (!run) continue;
    stops.push(
      await ctx.reader.follow(run, (batch) => emit(`event: points\ndata: ${JSON.stringify(batch, nonFinite)}\n\n`)),
    );
  }
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-store",
    connection: "keep-alive",
    ...SECURITY_HEADERS,
  });
  res.write("retry: 1000\n\n");
  open = true;
  for (const text of queued.splice(0)) res.write(text);
  ctx.live.add(res);
  // The table goes out when it changed since the last one this page got (a status, a new run).
  let sent = "";
  const table = setInterval(() => {
    ctx.reader.listRuns().then(
      (rows) => {
        const json = listJson(rows);
        if (json === sent) return;
        sent = json;
        res.write(`event: runs\ndata: ${json}\n\n`);
      },
      () => undefined,
    );
  }, ctx.tableIntervalMs);
  const end = () => {
    clearInterval(table);
    for (const stop of stops) stop();
    ctx.live.delete(res);
  };
  req.on("close", end);
  res.on("close", end);
}

/**
 * A run as the runs table of the page gets it (`/api/runs` and the `runs` events): what the table
 * shows and filters on, no more. The whole run (workers, each metric's count, min and max) is at
 * `/api/runs/<id>`. A non-finite last value comes as the string `"NaN"`, `"Infinity"` or `"-Infinity"`.
 */
export type ListedRun = Pick<
  RunRow,
  "id" | "project" | "name" | "status" | "startedAt" | "durationMs" | "tags" | "params"
> & {
  metrics: Record<string, { last: number }>;
};

/**
 * Each row's JSON in the runs table, by row: a reader that hands back the same row object for an
 * unchanged run (the jsonl reader does) makes a repeated listing a concatenation of strings.
 */
const rowJson = new WeakMap<RunRow, string>();

/**
 * The runs table as JSON (see {@link ListedRun}). Each row's JSON is built once (without a
 * replacer function, which made `JSON.stringify` several times slower) and kept while the reader
 * hands back the same row: the page asks for the table every 2 s.
 */
function listJson(rows: RunRow[]): string {
  const last = lastList;
  if (last && last.rows.length === rows.length && last.rows.every((r, i) => r === rows[i])) return last.json;
  const parts: string[] = [];
  for (const r of rows) {
    let json = rowJson.get(r);
    if (json === undefined) {
      const metrics: Record<string, { last: number | string }> = {};
      for (const [k, m] of Object.entries(r.metrics))
        metrics[k] = { last: Number.isFinite(m.last) ? m.last : String(m.last) };
      json = JSON.stringify({
        id: r.id,
        project: r.project,
        name: r.name,
        status: r.status,
        startedAt: r.startedAt,
        durationMs: r.durationMs,
        tags: r.tags,
        params: r.params,
        metrics,
      });
      rowJson.set(r, json);
    }
    parts.push(json);
  }
  const json = `[${parts.join(",")}]`;
  lastList = { rows, json };
  return json;
}

/** The last runs table built, by its rows: the same rows (a listing with nothing changed) give the same string. */
let lastList: { rows: RunRow[]; json: string } | undefined;
/** The last runs table as bytes: sending a string makes Node measure and encode it again each time. */
let lastBody: { json: string; bytes: Buffer } | undefined;

function listBody(json: string): Buffer {
  if (lastBody?.json !== json) lastBody = { json, bytes: Buffer.from(json) };
  return lastBody.bytes;
}

function strip({ workers, location: _location, ...row }: RunRow): Omit<RunRow, "location"> {
  return { ...row, workers };
}

const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

function nonFinite(_key: string, v: unknown): unknown {
  return typeof v === "number" && !Number.isFinite(v) ? String(v) : v;
}

const JSON_TYPE = "application/json; charset=utf-8";

function send(res: ServerResponse, status: number, body: unknown): void {
  sendText(res, status, JSON_TYPE, JSON.stringify(body, nonFinite));
}

function sendText(res: ServerResponse, status: number, type: string, text: string | Buffer): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store", ...SECURITY_HEADERS });
  res.end(text);
}

/** `Host` header values this server answers: loopback names, the listen address, this machine's name. */
function allowedHosts(host: string, port: number): Set<string> {
  const names = new Set([...LOOPBACK, host.toLowerCase(), hostname().toLowerCase()]);
  const out = new Set<string>();
  for (const n of names) {
    const h = n.includes(":") && !n.startsWith("[") ? `[${n}]` : n;
    out.add(`${h}:${port}`);
    if (port === 80) out.add(h);
  }
  return out;
}
