import { cp, type FileHandle, mkdir, open, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, normalize, resolve } from "node:path";
import type { MetricRecord, PluginContext } from "../../core/types.js";
import { BackendPlugin } from "../../plugins/base.js";
import { encodeBatch } from "./encode.js";
import { jsonlMetadata } from "./metadata.js";

/** Config of the `jsonl` backend. */
export interface JsonlConfig {
  /** Base directory; the run goes to `<dir>/<project>/<runId>`. */
  dir?: string;
  /** fsync on flush and stop (default true). */
  fsync?: boolean;
}

/**
 * The embedded default backend: `<dir>/<project>/<runId>/{run.json, metrics.jsonl,
 * params.json, artifacts/}`. Append-only; batched writes.
 */
export class JsonlBackend extends BackendPlugin<JsonlConfig> {
  /** Static metadata, so the class can be registered by hand too. */
  static metadata = jsonlMetadata;
  private runDir = "";
  private metrics: FileHandle | undefined;
  private params: Record<string, unknown> = {};
  private written = 0;
  private startedAt = 0;

  /** Where this run's files are. */
  get directory(): string {
    return this.runDir;
  }

  override async initialize(config: Readonly<JsonlConfig>, context: PluginContext): Promise<void> {
    await super.initialize(config, context);
    const run = context.run;
    this.runDir = config.dir ? resolve(config.dir, run.project, run.runId) : run.runDir;
    await mkdir(join(this.runDir, "artifacts"), { recursive: true });
    this.startedAt = Date.now();
    await this.writeRunFile("running");
  }

  override async start(): Promise<void> {
    this.metrics = await open(join(this.runDir, "metrics.jsonl"), "a");
  }

  logMetric(name: string, value: number, step = 0): Promise<void> {
    return this.logMetrics([{ name, value, step, timestamp: Date.now() }]);
  }

  override async logMetrics(batch: MetricRecord[]): Promise<void> {
    if (!this.metrics) throw new Error("jsonl backend is not started");
    await this.metrics.write(encodeBatch(batch));
    this.written += batch.length;
  }

  override async logParams(params: Record<string, unknown>): Promise<void> {
    Object.assign(this.params, params);
    await writeFile(join(this.runDir, "params.json"), `${JSON.stringify(this.params, null, 2)}\n`);
  }

  override async logArtifact(localPath: string, artifactPath?: string): Promise<void> {
    const relative = normalize(artifactPath ?? localPath.split(/[\\/]/).pop() ?? "artifact");
    if (isAbsolute(relative) || relative.startsWith("..")) {
      throw new Error(`artifact path "${artifactPath}" must stay inside the run's artifacts/ directory`);
    }
    const target = join(this.runDir, "artifacts", relative);
    await mkdir(dirname(target), { recursive: true });
    await cp(localPath, target, { recursive: true });
  }

  override async flush(): Promise<void> {
    if (this.metrics && this.config.fsync !== false) await this.metrics.datasync();
  }

  override async stop(): Promise<void> {
    await this.flush();
    await this.metrics?.close();
    this.metrics = undefined;
    await this.writeRunFile("finished");
  }

  override getStatus(): Record<string, unknown> {
    return { connected: this.metrics !== undefined, dir: this.runDir, points: this.written };
  }

  private async writeRunFile(status: string): Promise<void> {
    const run = this.context.run;
    const body = {
      runId: run.runId,
      project: run.project,
      name: run.name,
      role: run.role,
      workerId: run.workerId,
      workerCount: run.workerCount,
      tags: run.tags,
      status,
      startedAt: new Date(this.startedAt).toISOString(),
      ...(status === "running" ? {} : { endedAt: new Date().toISOString() }),
    };
    await writeFile(join(this.runDir, "run.json"), `${JSON.stringify(body, null, 2)}\n`);
  }
}
