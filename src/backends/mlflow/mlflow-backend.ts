import { readdir, readFile, stat } from "node:fs/promises";
import { basename, join, relative, sep } from "node:path";
import { TraceletError } from "../../core/errors.js";
import type { RunEnd } from "../../core/run-end.js";
import type { MetricRecord, PluginContext } from "../../core/types.js";
import { BackendPlugin } from "../../plugins/authoring/base.js";
import { mlflowMetadata } from "./metadata.js";
import { MlflowClient, MlflowRequestError } from "./mlflow-client.js";
import { KeyMapper } from "./mlflow-keys.js";

/** MLflow's limits on one `runs/log-batch` request (MLflow 2.x and 3.x docs, REST API). */
export const LOG_BATCH_LIMITS = Object.freeze({ metrics: 1000, params: 100, tags: 100, items: 1000, bytes: 1_000_000 });
/** MLflow's longest param value (2.x: 6000 characters) and tag value (5000). */
const MAX_PARAM_VALUE = 6000;
const MAX_TAG_VALUE = 5000;
/** Room left in a request for everything but the metrics: `{"run_id":…,"metrics":[…]}` and commas. */
const ENVELOPE_BYTES = 1024;

/** Config of the `mlflow` backend. */
export interface MlflowConfig {
  /** The tracking server's URL. Default: `MLFLOW_TRACKING_URI`, else `http://127.0.0.1:5000`. */
  trackingUri?: string;
  /** The experiment (created when missing). Default: the run's project. */
  experimentName?: string;
  /** Bearer token (secret). Default: `MLFLOW_TRACKING_TOKEN`. */
  token?: string;
  /** Per-request deadline (default 30,000 ms). */
  requestTimeoutMs?: number;
}

interface KeyValue {
  key: string;
  value: string;
}

interface MlflowMetric {
  key: string;
  value: number | string;
  timestamp: number;
  step: number;
}

const STATUS: Record<RunEnd["status"], string> = { finished: "FINISHED", failed: "FAILED", interrupted: "KILLED" };

/**
 * Logs a run to an MLflow tracking server through its REST API 2.0: the experiment is found or
 * created, the run created (or found again by its `tracelet.runId` tag, on a replay), metrics,
 * params and tags sent with `runs/log-batch` in requests within MLflow's limits, the status set
 * at stop, artifacts uploaded through the `mlflow-artifacts` proxy when the server serves them.
 * A request that fails (5xx, no answer) throws: Tracelet retries the batch, and the requests of
 * it already accepted are not sent again.
 */
export class MlflowBackend extends BackendPlugin<MlflowConfig> {
  /** Static metadata, so the class can be registered by hand too. */
  static metadata = mlflowMetadata;
  private client: MlflowClient | undefined;
  private url = "";
  private experimentId = "";
  private runId = "";
  private artifactUri = "";
  private keys: KeyMapper | undefined;
  private readonly pendingParams = new Map<string, string>();
  private readonly pendingTags = new Map<string, string>();
  private readonly sentParams = new Map<string, string>();
  /** The batch whose delivery failed midway, and how many of its points MLflow already has. */
  private partial: { signature: string; sent: number } | undefined;
  private written = 0;
  private renamed = 0;
  private artifactWarned = false;

  override initialize(config: Readonly<MlflowConfig>, context: PluginContext): void {
    super.initialize(config, context);
    const uri = config.trackingUri ?? process.env.MLFLOW_TRACKING_URI ?? "http://127.0.0.1:5000";
    let parsed: URL;
    try {
      parsed = new URL(uri);
      if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error("not http");
    } catch {
      throw new TraceletError(
        "TRACELET_ERR_CONFIG_INVALID",
        `Plugin "mlflow": trackingUri (from ${config.trackingUri ? "the config" : "MLFLOW_TRACKING_URI"}) must be an http(s) URL.`,
        { details: { plugin: "mlflow", key: "trackingUri" } },
      );
    }
    parsed.username = "";
    parsed.password = "";
    this.url = parsed.toString().replace(/\/+$/, "");
    const token = config.token ?? process.env.MLFLOW_TRACKING_TOKEN;
    this.client = new MlflowClient(this.url, token || undefined, config.requestTimeoutMs ?? 30_000);
    this.keys = new KeyMapper((name, key) => {
      this.renamed++;
      context.logger.info({ name, key }, "mlflow: name is not a valid MLflow key; logged under this key");
    });
  }

  override async start(): Promise<void> {
    try {
      await this.ensureRun();
    } catch (error) {
      // A server that is down at start is an outage like any other: the first batch tries again.
      if (error instanceof MlflowRequestError && !error.permanent) {
        this.logger.warn(
          { err: error },
          "mlflow: the tracking server did not answer at start; retrying with the first batch",
        );
        return;
      }
      throw error;
    }
  }

  logMetric(name: string, value: number, step = 0, timestamp = Date.now()): Promise<void> {
    return this.logMetrics([{ name, value, step, timestamp }]);
  }

  override async logMetrics(batch: MetricRecord[]): Promise<void> {
    await this.ensureRun();
    const signature = signatureOf(batch);
    let from = this.partial?.signature === signature ? this.partial.sent : 0;
    let next = from < batch.length ? this.metricsRequest(batch, from) : undefined;
    while (next) {
      const request = next;
      // Requests go one at a time, in order; the next one's body is built while this one is
      // in flight (after a turn of the event loop, once fetch has written it), not after.
      const answered = this.api()
        .call("POST", "runs/log-batch", request.body)
        .then(
          () => undefined,
          (error: unknown) => ({ error }),
        );
      await new Promise((r) => setImmediate(r));
      next = request.to < batch.length ? this.metricsRequest(batch, request.to) : undefined;
      const failed = await answered;
      if (failed) {
        this.partial = { signature, sent: from };
        throw failed.error;
      }
      this.written += request.to - from;
      from = request.to;
    }
    this.partial = undefined;
    // Params or tags an outage held back go out once the server answers again.
    await this.sendPending();
  }

  /**
   * The `runs/log-batch` body of the points from `from` on, as many as MLflow's limits allow.
   *
   * @returns the body, and the index after its last point
   */
  private metricsRequest(batch: readonly MetricRecord[], from: number): { body: string; to: number } {
    const keys = this.mapper();
    const metrics: MlflowMetric[] = [];
    let bytes = ENVELOPE_BYTES;
    let to = from;
    while (to < batch.length && metrics.length < LOG_BATCH_LIMITS.metrics) {
      const p = batch[to];
      const key = keys.key(p.name);
      // An upper bound, not a serialization: the braces, quotes and field names (38 bytes), a
      // number (≤ 24), timestamp and step (≤ 16 each), a comma, and the key.
      const size = 95 + keys.bytes(key);
      if (bytes + size > LOG_BATCH_LIMITS.bytes && metrics.length > 0) break;
      bytes += size;
      metrics.push({
        key,
        value: Number.isFinite(p.value) ? p.value : String(p.value),
        timestamp: Math.round(p.timestamp),
        step: Number.isSafeInteger(p.step) ? p.step : 0,
      });
      to++;
    }
    return { body: JSON.stringify({ run_id: this.runId, metrics, params: [], tags: [] }), to };
  }

  override async logParams(params: Record<string, unknown>): Promise<void> {
    const refused: string[] = [];
    for (const [name, raw] of Object.entries(params)) {
      const key = this.mapper().key(name);
      const value = (typeof raw === "string" ? raw : (JSON.stringify(raw) ?? String(raw))).slice(0, MAX_PARAM_VALUE);
      const sent = this.sentParams.get(key) ?? this.pendingParams.get(key);
      if (sent === undefined) this.pendingParams.set(key, value);
      else if (sent !== value) refused.push(key);
    }
    await this.sendPending();
    if (refused.length > 0) {
      throw new Error(
        `mlflow: params are immutable in MLflow; new values of ${refused.map((k) => JSON.stringify(k)).join(", ")} were not logged`,
      );
    }
  }

  /**
   * Sets run tags (values cut to MLflow's 5000 characters).
   *
   * @param tags - the run's tags
   */
  override async setTags(tags: Record<string, string>): Promise<void> {
    for (const [name, value] of Object.entries(tags))
      this.pendingTags.set(this.mapper().key(name), value.slice(0, MAX_TAG_VALUE));
    await this.sendPending();
  }

  override async logArtifact(localPath: string, artifactPath?: string): Promise<void> {
    await this.ensureRun();
    const root = proxiedRoot(this.artifactUri);
    if (root === undefined) {
      if (!this.artifactWarned) {
        this.artifactWarned = true;
        this.logger.warn(
          { artifactUri: this.artifactUri },
          "mlflow: the run's artifact root is not served by the tracking server (mlflow-artifacts); artifacts are not uploaded",
        );
      }
      return;
    }
    const target = (artifactPath ?? basename(localPath)).split(sep).join("/").replace(/^\/+/, "");
    for (const file of await filesUnder(localPath)) {
      const rel = relative(localPath, file).split(sep).join("/");
      const path = [root, target, rel].filter((s) => s !== "").join("/");
      await this.api().putArtifact(path, await readFile(file));
    }
  }

  override async flush(): Promise<void> {
    if (this.runId !== "") await this.sendPending();
  }

  override async stop(end?: RunEnd): Promise<void> {
    if (this.runId === "") return;
    await this.sendPending();
    if (this.context.replay && !end) return;
    await this.api().call("POST", "runs/update", {
      run_id: this.runId,
      status: STATUS[end?.status ?? "finished"],
      end_time: Date.now(),
    });
  }

  override getStatus(): Record<string, unknown> {
    return {
      trackingUri: this.url,
      experimentId: this.experimentId,
      runId: this.runId,
      points: this.written,
      renamedKeys: this.renamed,
    };
  }

  private api(): MlflowClient {
    if (!this.client) throw new Error("mlflow backend is not initialized");
    return this.client;
  }

  private mapper(): KeyMapper {
    if (!this.keys) throw new Error("mlflow backend is not initialized");
    return this.keys;
  }

  private async ensureRun(): Promise<void> {
    if (this.runId !== "") return;
    const api = this.api();
    const run = this.context.run;
    if (this.experimentId === "") {
      const name = this.config.experimentName ?? run.project;
      this.experimentId = await getOrCreateExperiment(api, name);
    }
    // A replay (`tracelet sync`) or a second process of the run finds the run it created.
    const found = await api.call<{ runs?: Array<{ info: { run_id: string; artifact_uri?: string } }> }>(
      "POST",
      "runs/search",
      {
        experiment_ids: [this.experimentId],
        filter: `tags.\`tracelet.runId\` = '${run.runId.replace(/'/g, "")}'`,
        max_results: 1,
      },
    );
    let info = found.runs?.[0]?.info;
    if (!info) {
      const tags = [
        { key: "mlflow.runName", value: run.name },
        { key: "tracelet.runId", value: run.runId },
        { key: "tracelet.project", value: run.project },
        ...Object.entries(run.tags).map(([k, v]) => ({ key: this.mapper().key(k), value: v.slice(0, MAX_TAG_VALUE) })),
      ];
      const created = await api.call<{ run: { info: { run_id: string; artifact_uri?: string } } }>(
        "POST",
        "runs/create",
        {
          experiment_id: this.experimentId,
          run_name: run.name,
          start_time: Date.now(),
          tags,
        },
      );
      info = created.run.info;
    }
    this.runId = info.run_id;
    this.artifactUri = info.artifact_uri ?? "";
  }

  /** Sends held params and tags, in requests within the limits; keeps them when the server is down. */
  private async sendPending(): Promise<void> {
    while (this.pendingParams.size > 0 || this.pendingTags.size > 0) {
      await this.ensureRun();
      const params = take(this.pendingParams, LOG_BATCH_LIMITS.params);
      const tags = take(this.pendingTags, LOG_BATCH_LIMITS.tags);
      try {
        await this.logBatch({ params, tags });
      } catch (error) {
        if (error instanceof MlflowRequestError && error.permanent) {
          // Not retried: the server refused these (a changed param value, a limit); reported.
          throw error;
        }
        for (const p of params) if (!this.pendingParams.has(p.key)) this.pendingParams.set(p.key, p.value);
        for (const t of tags) if (!this.pendingTags.has(t.key)) this.pendingTags.set(t.key, t.value);
        throw error;
      }
      for (const p of params) this.sentParams.set(p.key, p.value);
    }
  }

  private async logBatch(body: { params: KeyValue[]; tags: KeyValue[] }): Promise<void> {
    await this.api().call("POST", "runs/log-batch", { run_id: this.runId, metrics: [], ...body });
  }
}

async function getOrCreateExperiment(api: MlflowClient, name: string): Promise<string> {
  try {
    const got = await api.call<{ experiment: { experiment_id: string } }>("GET", "experiments/get-by-name", {
      experiment_name: name,
    });
    return got.experiment.experiment_id;
  } catch (error) {
    if (!(error instanceof MlflowRequestError) || error.errorCode !== "RESOURCE_DOES_NOT_EXIST") throw error;
  }
  try {
    return (await api.call<{ experiment_id: string }>("POST", "experiments/create", { name })).experiment_id;
  } catch (error) {
    // Another process created it in between.
    if (!(error instanceof MlflowRequestError) || error.errorCode !== "RESOURCE_ALREADY_EXISTS") throw error;
    const got = await api.call<{ experiment: { experiment_id: string } }>("GET", "experiments/get-by-name", {
      experiment_name: name,
    });
    return got.experiment.experiment_id;
  }
}

/** Identifies a batch across a retry (the data path may hand back a copy read from its spool). */
function signatureOf(batch: readonly MetricRecord[]): string {
  const first = batch[0];
  const last = batch[batch.length - 1];
  const point = (p: MetricRecord | undefined) =>
    p ? `${p.name}\u0000${p.step}\u0000${p.timestamp}\u0000${p.value}` : "";
  return `${batch.length}\u0000${point(first)}\u0000${point(last)}`;
}

function take(map: Map<string, string>, n: number): KeyValue[] {
  const out: KeyValue[] = [];
  for (const [key, value] of map) {
    if (out.length >= n) break;
    out.push({ key, value });
    map.delete(key);
  }
  return out;
}

/** The path under the proxy of an `mlflow-artifacts:` artifact root, or undefined for another scheme. */
function proxiedRoot(artifactUri: string): string | undefined {
  const m = /^mlflow-artifacts:(?:\/\/[^/]*)?\/*(.*)$/.exec(artifactUri);
  return m ? (m[1] ?? "").replace(/\/+$/, "") : undefined;
}

async function filesUnder(path: string): Promise<string[]> {
  if (!(await stat(path)).isDirectory()) return [path];
  const out: string[] = [];
  for (const entry of await readdir(path, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(join(entry.parentPath, entry.name));
  }
  return out.sort();
}
