import { stat } from "node:fs/promises";
import { basename, resolve } from "node:path";
import { TraceletError } from "../errors.js";
import type { TraceletHooks } from "../hooks.js";
import type { PluginHost } from "../lifecycle/plugin-host.js";
import type { Timeouts } from "../types.js";
import { flattenParams } from "./flatten-params.js";

/**
 * The run's calls other than metrics (params, tags, artifacts): each goes to every active
 * backend under its deadline; the calls still in flight are tracked so that `flush()` and
 * `stop()` wait for them.
 */
export class SideCalls {
  private readonly inFlight = new Set<Promise<unknown>>();
  // Per backend, the last side call: the next one starts when it has settled, so a backend
  // never sees two writes of params.json or run.json at once, nor in the wrong order.
  private readonly chains = new Map<PluginHost, Promise<unknown>>();
  private tags: Record<string, string>;

  /**
   * @param hosts - every plugin of the run
   * @param hooks - the run's hooks
   * @param timeouts - deadlines
   * @param tags - the run's initial tags
   */
  constructor(
    private readonly hosts: readonly PluginHost[],
    private readonly hooks: TraceletHooks,
    private readonly timeouts: Required<Timeouts>,
    tags: Readonly<Record<string, string>>,
  ) {
    this.tags = { ...tags };
  }

  /** The run's tags, as set so far. */
  get currentTags(): Readonly<Record<string, string>> {
    return this.tags;
  }

  /**
   * Flattens and sends parameters.
   *
   * @param params - a plain object
   * @throws TraceletError `TRACELET_ERR_OPTION_INVALID`
   */
  params(params: Record<string, unknown>): void {
    if (!isPlainObject(params)) {
      throw new TraceletError("TRACELET_ERR_OPTION_INVALID", "logParams takes a plain object of parameters.");
    }
    const flat = Object.freeze(flattenParams(params));
    this.hooks.params.call(flat);
    for (const host of this.backends()) {
      if (host.backend.logParams)
        this.track(
          this.chain(host, () => host.call("logParams", this.timeouts.flush, () => host.backend.logParams?.(flat))),
        );
    }
  }

  /**
   * Merges and sends tags.
   *
   * @param tags - string values by key
   * @throws TraceletError `TRACELET_ERR_OPTION_INVALID`
   */
  setTags(tags: Record<string, string>): void {
    if (!isPlainObject(tags) || Object.values(tags).some((v) => typeof v !== "string")) {
      throw new TraceletError("TRACELET_ERR_OPTION_INVALID", "setTags takes a plain object of string values.");
    }
    this.tags = { ...this.tags, ...tags };
    const all = Object.freeze({ ...this.tags });
    this.hooks.tags.call(all);
    for (const host of this.backends()) {
      if (host.backend.setTags)
        this.track(
          this.chain(host, () => host.call("setTags", this.timeouts.flush, () => host.backend.setTags?.(all))),
        );
    }
  }

  /**
   * Sends a file or a directory to every backend; backends copy or stream it, never Tracelet.
   *
   * @param localPath - an existing file or directory
   * @param artifactPath - where it goes inside the run (default: its base name)
   * @throws TraceletError `TRACELET_ERR_ARTIFACT_NOT_FOUND`
   */
  async artifact(localPath: string, artifactPath?: string): Promise<void> {
    const absolute = resolve(localPath);
    const info = await stat(absolute).catch(() => undefined);
    if (!info || !(info.isFile() || info.isDirectory())) {
      throw new TraceletError("TRACELET_ERR_ARTIFACT_NOT_FOUND", `Artifact "${localPath}" does not exist.`, {
        details: { path: absolute },
      });
    }
    const target = artifactPath ?? basename(absolute);
    await this.hooks.artifact.promise({ localPath: absolute, artifactPath: target });
    const calls = this.backends()
      .filter((h) => h.backend.logArtifact)
      .map((h) =>
        this.chain(h, () =>
          h.call("logArtifact", this.timeouts.flush, () => h.backend.logArtifact?.(absolute, target)),
        ),
      );
    await this.track(Promise.all(calls));
  }

  /** Resolves when every call made so far has settled. */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Tracks work that will make side calls later (e.g. collectors' params being gathered), so
   * that `flush()` and `stop()` wait for it too.
   *
   * @param call - the work
   * @returns the same promise
   */
  track<T>(call: Promise<T>): Promise<T> {
    this.inFlight.add(call);
    const done = () => this.inFlight.delete(call);
    call.then(done, done);
    return call;
  }

  private chain<T>(host: PluginHost, call: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(host) ?? Promise.resolve();
    const next = previous.then(call, call);
    this.chains.set(host, next);
    const forget = () => {
      if (this.chains.get(host) === next) this.chains.delete(host);
    };
    next.then(forget, forget);
    return next;
  }

  private backends(): PluginHost[] {
    return this.hosts.filter((h) => h.type === "backend" && h.active);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
