import { spawn } from "node:child_process";
import { readdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { startExperiment } from "../../../src/index.js";
import { JsonlReader } from "../../../src/viewer/readers/jsonl-reader.js";
import { LISTING_INDEX_FILE, RACY_MS } from "../../../src/viewer/readers/listing-index.js";
import type { RunRow } from "../../../src/viewer/readers/reader.js";
import { CLI, ROOT, runCli } from "../../helpers/cli.js";
import { tempDir } from "../../helpers/temp-dir.js";
import { makeRuns } from "../fixtures.js";

/** Sets every run directory's modification time a minute back: the index then trusts what it read of them. */
function backdate(dir: string): void {
  const old = new Date(Date.now() - 60_000);
  for (const project of readdirSync(dir, { withFileTypes: true }))
    if (project.isDirectory())
      for (const id of readdirSync(join(dir, project.name))) utimesSync(join(dir, project.name, id), old, old);
}

/** A listing as a new process makes it: a reader with nothing in memory. */
const list = (dir: string) => new JsonlReader(dir).listRuns();

/** Rows as the comparisons below need them (a run's duration and statuses are judged now). */
const plain = (rows: RunRow[]) =>
  rows.map(({ id, name, status, params, metrics }) => ({ id, name, status, params, metrics }));

/** Replaces a file as the jsonl backend does: a temporary file, then a rename (which changes the directory). */
function replace(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

describe("the listing index (.tracelet-listing.json at the runs root)", () => {
  it("is written by a listing, and a listing in a new process reads an unchanged run directory from it, not from its files", async () => {
    const cwd = await tempDir();
    const { dir, ids } = await makeRuns(cwd, 2);
    backdate(dir);
    await list(dir);
    expect(JSON.parse(readFileSync(join(dir, LISTING_INDEX_FILE), "utf8"))).toHaveProperty("version", 1);
    // Written in place, so the directory stays as it was: the index's copy is used.
    const runFile = join(dir, "p", ids[0], "run.json");
    writeFileSync(runFile, readFileSync(runFile, "utf8").replace('"name": "run0"', '"name": "edited in place"'));
    const names = (await list(dir)).map((r) => r.name).sort();
    expect(names).toEqual(["run0", "run1"]);
  });

  it("shows a new run, a changed summary and params, and forgets a deleted run", async () => {
    const cwd = await tempDir();
    const { dir, ids } = await makeRuns(cwd, 3);
    const live = await startExperiment({ cwd, project: "p", name: "live", logLevel: "silent" });
    live.logMetric("loss", 5, 0);
    await live.flush();
    backdate(dir);
    const before = await list(dir);
    expect(before.map((r) => r.id).sort()).toEqual([...ids, live.id].sort());
    expect(before.find((r) => r.id === live.id)?.metrics.loss).toMatchObject({ count: 1, last: 5 });

    // The live run's summary is rewritten on flush; a run is added, another deleted, params replaced.
    live.logMetric("loss", 3, 1);
    await live.flush();
    const { ids: added } = await makeRuns(cwd, 1);
    rmSync(join(dir, "p", ids[1]), { recursive: true });
    replace(join(dir, "p", ids[2], "params.json"), JSON.stringify({ lr: 7 }));
    const after = await list(dir);
    expect(after.map((r) => r.id).sort()).toEqual([ids[0], ids[2], live.id, added[0]].sort());
    expect(after.find((r) => r.id === live.id)?.metrics.loss).toMatchObject({ count: 2, last: 3, min: 3, max: 5 });
    expect(after.find((r) => r.id === ids[2])?.params).toEqual({ lr: 7 });
    expect(Object.keys(JSON.parse(readFileSync(join(dir, LISTING_INDEX_FILE), "utf8")).runs)).not.toContain(
      `p/${ids[1]}`,
    );

    await live.stop();
    expect((await list(dir)).find((r) => r.id === live.id)?.status).toBe("finished");
  });

  it("reads a directory changed within the file system's clock tick of the last read again (racy)", async () => {
    const cwd = await tempDir();
    const { dir, ids } = await makeRuns(cwd, 1);
    const runDir = join(dir, "p", ids[0]);
    // Read at a time the directory's modification time does not yet say it changed after.
    const now = new Date();
    utimesSync(runDir, now, now);
    await list(dir);
    replace(join(runDir, "params.json"), JSON.stringify({ lr: 9 }));
    utimesSync(runDir, now, now);
    expect((await list(dir))[0].params).toEqual({ lr: 9 });
  });

  it("rebuilds an index that is not JSON, of another version, or with entries of the wrong shape, without an error", async () => {
    const cwd = await tempDir();
    const { dir } = await makeRuns(cwd, 2);
    backdate(dir);
    const truth = plain(await list(dir));
    const index = join(dir, LISTING_INDEX_FILE);
    const docs = () => {
      const { runs } = JSON.parse(readFileSync(index, "utf8"));
      return Object.fromEntries(Object.entries(runs).map(([k, e]) => [k, (e as { docs: unknown }).docs]));
    };
    const good = JSON.parse(readFileSync(index, "utf8"));
    const goodDocs = docs();
    const [key] = Object.keys(good.runs);
    for (const bad of [
      "{ torn",
      "",
      "null",
      "[]",
      JSON.stringify({ ...good, version: 99 }),
      JSON.stringify({ version: 1, runs: "x" }),
      JSON.stringify({ version: 1, runs: { [key]: { ...good.runs[key], docs: { runFile: 1 } } } }),
      JSON.stringify({
        version: 1,
        runs: { [key]: { ...good.runs[key], docs: { ...good.runs[key].docs, writers: [{ key: "main" }] } } },
      }),
    ]) {
      writeFileSync(index, bad);
      expect(plain(await list(dir)), bad).toEqual(truth);
      expect(docs(), bad).toEqual(goodDocs);
    }
  });

  it("stays correct while runs are written by two processes and listed by several at once", async () => {
    const cwd = await tempDir();
    const dir = join(cwd, "tracelet-runs");
    const lib = JSON.stringify(join(ROOT, "dist/index.js"));
    // Two writers: one run each, flushing (summary rewritten by rename) between batches, while
    // four listing processes write the index concurrently.
    const writer = (name: string) =>
      new Promise<number | null>((resolve) => {
        const script = `import { startExperiment } from ${lib};
          for (let r = 0; r < 3; r++) {
            const exp = await startExperiment({ cwd: ${JSON.stringify(cwd)}, project: "p", name: "${name}" + r, logLevel: "silent" });
            await exp.logParams({ r });
            for (let i = 0; i < 20; i++) { exp.logMetric("loss", i, i); await exp.flush(); }
            await exp.stop();
          }`;
        spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: "ignore" }).on("exit", resolve);
      });
    const lister = async () => {
      for (let i = 0; i < 4; i++) {
        await new Promise((resolve) =>
          spawn(process.execPath, [CLI, "runs", "--json", "--dir", dir], { stdio: "ignore" }).on("exit", resolve),
        );
      }
    };
    const writers = Promise.all([writer("a"), writer("b")]);
    await sleep(300);
    await Promise.all([writers, lister(), lister(), lister(), lister()]);
    expect(await writers).toEqual([0, 0]);
    // Past the racy window, so the concurrent listers' entries are trusted; then compared with
    // a listing that reads every run's files.
    await sleep(RACY_MS + 100);
    await Promise.all([lister(), lister()]);
    const indexed = runCli(["runs", "--json", "--dir", dir]);
    expect(indexed.status).toBe(0);
    rmSync(join(dir, LISTING_INDEX_FILE));
    const fresh = runCli(["runs", "--json", "--dir", dir]);
    const rows = JSON.parse(fresh.stdout);
    expect(rows).toHaveLength(6);
    expect(rows.every((r: RunRow) => r.status === "finished" && r.metrics.loss.count === 20)).toBe(true);
    expect(plain(JSON.parse(indexed.stdout))).toEqual(plain(rows));
  });
});
