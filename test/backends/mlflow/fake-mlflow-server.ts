// A strict fake of the MLflow tracking server's REST API 2.0 (the parts the backend uses), for
// the tests: it enforces the documented limits and answers MLflow's error shapes
// ({ error_code, message } with 400/401/404). Taken from the MLflow 2.x REST API reference
// (mlflow.org/docs/latest/rest-api.html; log-batch limits as in MLflow 2.9-2.22 and 3.x).
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

const KEY = /^[/\p{L}\p{N}_.\- :]*$/u;
const STATUSES = new Set(["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"]);

export interface FakeMetric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

export interface FakeRun {
  runId: string;
  experimentId: string;
  name: string;
  status: string;
  endTime?: number;
  metrics: FakeMetric[];
  params: Map<string, string>;
  tags: Map<string, string>;
  artifactUri: string;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The fake server: start() on a free loopback port, close() in finally. */
export class FakeMlflowServer {
  readonly experiments = new Map<string, string>();
  readonly runs = new Map<string, FakeRun>();
  readonly requests: Array<{ method: string; path: string; bytes: number; authorization?: string }> = [];
  readonly artifacts = new Map<string, Buffer>();
  /** Every request body received, as text (to check that no secret travels where it should not). */
  readonly bodies: string[] = [];
  /** When set, the bearer token every request must carry. */
  token: string | undefined;
  /** Answer 503 to the next n requests (or to all while `down`). */
  failNext = 0;
  down = false;
  /** Fail the n-th log-batch request from now (1 = the next one) with 503. */
  failLogBatchAt = 0;
  /** Whether runs get an mlflow-artifacts: root (the server serves artifacts). */
  servesArtifacts = true;
  private server: Server | undefined;
  url = "";

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server?.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? "/", "http://x");
    this.requests.push({
      method: req.method ?? "",
      path: url.pathname,
      bytes: raw.length,
      authorization: req.headers.authorization,
    });
    this.bodies.push(raw.toString("utf8"));
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    try {
      if (this.down || this.failNext > 0) {
        if (this.failNext > 0) this.failNext--;
        throw new ApiError(503, "TEMPORARILY_UNAVAILABLE", "The server is unavailable");
      }
      if (this.token !== undefined && req.headers.authorization !== `Bearer ${this.token}`) {
        throw new ApiError(401, "UNAUTHENTICATED", "Invalid credentials");
      }
      if (url.pathname.startsWith("/api/2.0/mlflow-artifacts/artifacts/") && req.method === "PUT") {
        this.artifacts.set(decodeURIComponent(url.pathname.slice("/api/2.0/mlflow-artifacts/artifacts/".length)), raw);
        return send(200, {});
      }
      const body = req.method === "POST" ? parseJson(raw) : {};
      send(200, this.route(req.method ?? "", url, body, raw.length));
    } catch (error) {
      if (error instanceof ApiError) return send(error.status, { error_code: error.code, message: error.message });
      send(500, { error_code: "INTERNAL_ERROR", message: String(error) });
    }
  }

  private route(method: string, url: URL, body: Record<string, unknown>, bytes: number): unknown {
    const path = url.pathname.replace(/^\/api\/2\.0\/mlflow\//, "");
    if (method === "GET" && path === "experiments/get-by-name") {
      const name = url.searchParams.get("experiment_name") ?? "";
      const id = this.experiments.get(name);
      if (!id) throw new ApiError(404, "RESOURCE_DOES_NOT_EXIST", `Could not find experiment with name '${name}'`);
      return { experiment: { experiment_id: id, name, lifecycle_stage: "active" } };
    }
    if (method === "POST" && path === "experiments/create") {
      const name = str(body, "name");
      if (this.experiments.has(name))
        throw new ApiError(400, "RESOURCE_ALREADY_EXISTS", `Experiment '${name}' already exists.`);
      const id = String(this.experiments.size + 1);
      this.experiments.set(name, id);
      return { experiment_id: id };
    }
    if (method === "POST" && path === "runs/create") {
      const experimentId = str(body, "experiment_id");
      if (![...this.experiments.values()].includes(experimentId))
        throw new ApiError(404, "RESOURCE_DOES_NOT_EXIST", `No Experiment with id=${experimentId} exists`);
      const runId = randomUUID().replace(/-/g, "");
      const tags = new Map<string, string>();
      for (const t of (body.tags ?? []) as Array<{ key: string; value: string }>) tags.set(t.key, t.value);
      const run: FakeRun = {
        runId,
        experimentId,
        name: String(body.run_name ?? ""),
        status: "RUNNING",
        metrics: [],
        params: new Map(),
        tags,
        artifactUri: this.servesArtifacts
          ? `mlflow-artifacts:/${experimentId}/${runId}/artifacts`
          : `s3://bucket/${runId}`,
      };
      this.runs.set(runId, run);
      return {
        run: { info: { run_id: runId, experiment_id: experimentId, status: "RUNNING", artifact_uri: run.artifactUri } },
      };
    }
    if (method === "POST" && path === "runs/search") {
      const filter = String(body.filter ?? "");
      const m = /^tags\.`tracelet\.runId` = '([^']*)'$/.exec(filter);
      if (!m) throw new ApiError(400, "INVALID_PARAMETER_VALUE", `Invalid filter '${filter}'`);
      const ids = (body.experiment_ids ?? []) as string[];
      const runs = [...this.runs.values()].filter(
        (r) => ids.includes(r.experimentId) && r.tags.get("tracelet.runId") === m[1],
      );
      return { runs: runs.slice(0, 1).map((r) => ({ info: { run_id: r.runId, artifact_uri: r.artifactUri } })) };
    }
    if (method === "POST" && path === "runs/log-batch") return this.logBatch(body, bytes);
    if (method === "POST" && path === "runs/update") {
      const run = this.run(str(body, "run_id"));
      const status = str(body, "status");
      if (!STATUSES.has(status)) throw new ApiError(400, "INVALID_PARAMETER_VALUE", `Invalid status ${status}`);
      run.status = status;
      run.endTime = Number(body.end_time);
      return { run_info: { run_id: run.runId, status } };
    }
    throw new ApiError(404, "ENDPOINT_NOT_FOUND", `No API endpoint ${method} ${url.pathname}`);
  }

  private logBatch(body: Record<string, unknown>, bytes: number): unknown {
    if (this.failLogBatchAt > 0 && --this.failLogBatchAt === 0)
      throw new ApiError(503, "TEMPORARILY_UNAVAILABLE", "The server is unavailable");
    const run = this.run(str(body, "run_id"));
    const metrics = (body.metrics ?? []) as Array<Record<string, unknown>>;
    const params = (body.params ?? []) as Array<{ key: string; value: string }>;
    const tags = (body.tags ?? []) as Array<{ key: string; value: string }>;
    const bad = (m: string) => new ApiError(400, "INVALID_PARAMETER_VALUE", m);
    if (bytes >= 1_000_000) throw bad(`Request size ${bytes} exceeds the limit of 1 MB`);
    if (metrics.length > 1000)
      throw bad(`A batch logging request can contain at most 1000 metrics. Got ${metrics.length}`);
    if (params.length > 100) throw bad(`A batch logging request can contain at most 100 params. Got ${params.length}`);
    if (tags.length > 100) throw bad(`A batch logging request can contain at most 100 tags. Got ${tags.length}`);
    if (metrics.length + params.length + tags.length > 1000)
      throw bad("A batch logging request can contain at most 1000 items");
    const checkKey = (k: unknown) => {
      if (typeof k !== "string" || k.length > 250 || !KEY.test(k)) throw bad(`Invalid key ${JSON.stringify(k)}`);
    };
    const parsed: FakeMetric[] = metrics.map((m) => {
      checkKey(m.key);
      const v = m.value;
      let value: number;
      if (typeof v === "number") value = v;
      else if (v === "NaN") value = Number.NaN;
      else if (v === "Infinity") value = Number.POSITIVE_INFINITY;
      else if (v === "-Infinity") value = Number.NEGATIVE_INFINITY;
      else throw bad(`Invalid value ${JSON.stringify(v)} for metric ${String(m.key)}`);
      if (!Number.isSafeInteger(m.timestamp)) throw bad(`Missing or invalid timestamp for metric ${String(m.key)}`);
      if (m.step !== undefined && !Number.isSafeInteger(m.step)) throw bad(`Invalid step for metric ${String(m.key)}`);
      return {
        key: m.key as string,
        value,
        timestamp: m.timestamp as number,
        step: (m.step as number | undefined) ?? 0,
      };
    });
    for (const p of params) {
      checkKey(p.key);
      if (typeof p.value !== "string" || p.value.length > 6000) throw bad(`Invalid value for param ${p.key}`);
      const old = run.params.get(p.key);
      if (old !== undefined && old !== p.value)
        throw bad(
          `Changing param values is not allowed. Param with key='${p.key}' was already logged with value='${old}'`,
        );
    }
    for (const t of tags) {
      checkKey(t.key);
      if (typeof t.value !== "string" || t.value.length > 5000) throw bad(`Invalid value for tag ${t.key}`);
    }
    run.metrics.push(...parsed);
    for (const p of params) run.params.set(p.key, p.value);
    for (const t of tags) run.tags.set(t.key, t.value);
    return {};
  }

  private run(id: string): FakeRun {
    const run = this.runs.get(id);
    if (!run) throw new ApiError(404, "RESOURCE_DOES_NOT_EXIST", `Run '${id}' not found`);
    return run;
  }
}

function parseJson(raw: Buffer): Record<string, unknown> {
  try {
    const v = JSON.parse(raw.toString("utf8"));
    if (typeof v === "object" && v !== null) return v;
  } catch {
    // below
  }
  throw new ApiError(400, "MALFORMED_REQUEST", "Malformed request body");
}

function str(body: Record<string, unknown>, key: string): string {
  const v = body[key];
  if (typeof v !== "string" || v === "")
    throw new ApiError(400, "INVALID_PARAMETER_VALUE", `Missing value for required parameter '${key}'`);
  return v;
}
