import { renameSync, utimesSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { connect } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { JsonlReader } from "../../src/viewer/readers/jsonl-reader.js";
import { startViewerServer, type ViewerServer } from "../../src/viewer/server/server.js";
import { tempDir } from "../helpers/temp-dir.js";
import { makeRuns } from "./fixtures.js";
import { testPageAssets } from "./page-assets.js";

let server: ViewerServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A raw GET: the path is sent as written (no URL normalisation), with the Host header given. */
function get(port: number, path: string, host = `127.0.0.1:${port}`): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers: { host } }, (res) => {
      let body = "";
      res.on("data", (c) => {
        body += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** A request with no Host header at all (HTTP/1.0). */
function rawNoHost(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write("GET /api/runs HTTP/1.0\r\n\r\n"));
    let text = "";
    socket.on("data", (c) => {
      text += c;
    });
    socket.on("end", () => resolve(text));
    socket.on("error", reject);
  });
}

describe("the viewer server", () => {
  it("listens on loopback, serves the page, its bundle and the runs, with a CSP", async () => {
    const cwd = await tempDir();
    const { dir, ids } = await makeRuns(cwd, 2);
    server = await startViewerServer({ reader: new JsonlReader(dir), port: 0, assets: await testPageAssets() });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
    const page = await fetch(server.url);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(await page.text()).toContain('<script src="/assets/page.js">');
    expect((await get(server.port, "/assets/page.js")).body.length).toBeGreaterThan(10_000);
    const runs = JSON.parse((await get(server.port, "/api/runs")).body);
    expect(runs.map((r: { id: string }) => r.id).sort()).toEqual([...ids].sort());
    expect(runs[0]).not.toHaveProperty("location");
    const series = JSON.parse((await get(server.port, `/api/series?run=${ids[0]}&metric=loss&width=100`)).body);
    expect(series[0]).toMatchObject({ metric: "loss", worker: "main", total: 50, full: true });
  });

  it("sends the runs table as the table shows it, and a run's change on the next request", async () => {
    const cwd = await tempDir();
    const { dir, ids } = await makeRuns(cwd, 2);
    // Changed long ago: the reader keeps its rows (and the server their JSON) until a directory changes.
    const old = new Date(Date.now() - 60_000);
    for (const id of ids) utimesSync(join(dir, "p", id), old, old);
    server = await startViewerServer({ reader: new JsonlReader(dir), port: 0, assets: await testPageAssets() });
    const first = (await get(server.port, "/api/runs")).body;
    const run = JSON.parse(first).find((r: { id: string }) => r.id === ids[1]);
    expect(Object.keys(run).sort()).toEqual(
      ["durationMs", "id", "metrics", "name", "params", "project", "startedAt", "status", "tags"].sort(),
    );
    expect(run).toMatchObject({ name: "run1", status: "finished", params: { lr: 0.05, opt: "sgd" } });
    expect(run.metrics).toEqual({ loss: { last: 2 / 50 }, "train/acc": { last: 49 / 50 } });
    expect((await get(server.port, "/api/runs")).body).toBe(first);
    writeFileSync(join(dir, "p", ids[1], "params.json.tmp"), JSON.stringify({ lr: 1 }));
    renameSync(join(dir, "p", ids[1], "params.json.tmp"), join(dir, "p", ids[1], "params.json"));
    const again = JSON.parse((await get(server.port, "/api/runs")).body);
    expect(again.find((r: { id: string }) => r.id === ids[1]).params).toEqual({ lr: 1 });
    expect(again.find((r: { id: string }) => r.id === ids[0]).params).toEqual({ lr: 0.1, opt: "adam" });
  });

  it("refuses foreign Host headers (DNS rebinding) with 403", async () => {
    const cwd = await tempDir();
    const { dir } = await makeRuns(cwd, 1);
    server = await startViewerServer({ reader: new JsonlReader(dir), port: 0, assets: await testPageAssets() });
    const p = server.port;
    expect((await get(p, "/api/runs", `evil.example:${p}`)).status).toBe(403);
    expect((await get(p, "/api/runs", "127.0.0.1:1")).status).toBe(403);
    expect(await rawNoHost(p)).toMatch(/^HTTP\/1\.1 403/);
    expect((await get(p, "/api/runs", `localhost:${p}`)).status).toBe(200);
  });

  it("never serves a path outside the runs directory: .., encoded, absolute", async () => {
    const cwd = await tempDir();
    const { dir } = await makeRuns(cwd, 1);
    server = await startViewerServer({ reader: new JsonlReader(dir), port: 0, assets: await testPageAssets() });
    const p = server.port;
    for (const path of [
      "/assets/../../../../etc/passwd",
      "/assets/..%2f..%2f..%2fetc%2fpasswd",
      "/%2e%2e/%2e%2e/etc/passwd",
      "/api/runs/..%2F..%2F..%2Fetc",
      `/api/runs/${encodeURIComponent(dir)}%2Fp`,
      "/api/runs/%2Fetc%2Fpasswd",
      `/api/series?run=${encodeURIComponent("../../..")}&metric=loss`,
      `/api/series?run=${encodeURIComponent(`${dir}/p`)}&metric=loss`,
      "//etc/passwd",
    ]) {
      const res = await get(p, path);
      expect(res.status, path).toBe(404);
      expect(res.body).not.toContain("root:");
    }
  });

  it("streams new points of a followed run as server-sent events", async () => {
    const cwd = await tempDir();
    const { startExperiment } = await import("../../src/index.js");
    const exp = await startExperiment({ cwd, project: "p", logLevel: "silent" });
    exp.logMetric("live", 1, 0);
    await exp.flush();
    server = await startViewerServer({
      reader: new JsonlReader(`${cwd}/tracelet-runs`),
      port: 0,
      assets: await testPageAssets(),
    });
    const controller = new AbortController();
    const res = await fetch(`${server.url}api/events?runs=${exp.id}`, { signal: controller.signal });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    exp.logMetric("live", 42, 1);
    await exp.flush();
    let text = "";
    while (!text.includes('"value":42')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(text).toContain("event: points");
    controller.abort();
    await exp.stop();
  });
});
