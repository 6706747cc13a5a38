import { mkdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { startExperiment } from "../../../src/index.js";
import { DirWatch, WATCH_RECHECK_MS } from "../../../src/viewer/readers/dir-watch.js";
import { JsonlReader } from "../../../src/viewer/readers/jsonl-reader.js";
import { tempDir } from "../../helpers/temp-dir.js";
import { makeRuns } from "../fixtures.js";

/**
 * How long a notification may take to arrive on a busy machine (the wait ends as soon as it has):
 * under the time after which a watching reader checks every directory anyway, so what is seen was
 * seen through its notification.
 */
const WAIT = { timeout: WATCH_RECHECK_MS / 2, interval: 20 };

function replace(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

describe("a reader that watches run directories (tracelet ui)", () => {
  it("watches on this machine's local disk (what the tests run on)", async () => {
    expect(new DirWatch(await tempDir()).enabled).toBe(process.platform === "linux");
  });

  it("shows each change once notified: params, a live run's summary, a new run, a deleted run, a directory replaced", async () => {
    const cwd = await tempDir();
    const { dir, ids } = await makeRuns(cwd, 3);
    const live = await startExperiment({ cwd, project: "p", name: "live", logLevel: "silent" });
    live.logMetric("loss", 5, 0);
    await live.flush();
    const old = new Date(Date.now() - 60_000);
    for (const id of [...ids, live.id]) utimesSync(join(dir, "p", id), old, old);
    const reader = new JsonlReader(dir, { watch: true });
    const row = async (id: string) => (await reader.listRuns()).find((r) => r.id === id);
    expect((await row(ids[0]))?.params).toEqual({ lr: 0.1, opt: "adam" });
    await reader.listRuns();

    replace(join(dir, "p", ids[0], "params.json"), JSON.stringify({ lr: 3 }));
    await vi.waitFor(async () => expect((await row(ids[0]))?.params).toEqual({ lr: 3 }), WAIT);

    live.logMetric("loss", 2, 1);
    await live.flush();
    await vi.waitFor(async () => expect((await row(live.id))?.metrics.loss).toMatchObject({ count: 2, last: 2 }), WAIT);

    const { ids: added } = await makeRuns(cwd, 1);
    rmSync(join(dir, "p", ids[1]), { recursive: true });
    await vi.waitFor(
      async () =>
        expect((await reader.listRuns()).map((r) => r.id).sort()).toEqual([ids[0], ids[2], live.id, added[0]].sort()),
      WAIT,
    );

    // Replaced by a copy under the same name: the old directory's watch sees nothing of the new one.
    const runDir = join(dir, "p", ids[2]);
    const files = ["run.json", "params.json", "summary.json", "metrics.jsonl"].map((f) => [
      f,
      readFileSync(join(runDir, f), "utf8"),
    ]);
    rmSync(runDir, { recursive: true });
    mkdirSync(runDir);
    for (const [f, text] of files) writeFileSync(join(runDir, f), text);
    await vi.waitFor(async () => expect((await row(ids[2]))?.params).toEqual({ lr: 0.1 / 3, opt: "adam" }), WAIT);
    replace(join(runDir, "params.json"), JSON.stringify({ lr: 4 }));
    await vi.waitFor(async () => expect((await row(ids[2]))?.params).toEqual({ lr: 4 }), WAIT);
    await live.stop();

    // Every run ended: a listing with nothing notified answers as the last one; any change ends that.
    await vi.waitFor(async () => expect((await row(live.id))?.status).toBe("finished"), WAIT);
    const settled = await reader.listRuns();
    expect(await reader.listRuns()).toEqual(settled);
    replace(join(dir, "p", ids[0], "params.json"), JSON.stringify({ lr: 5 }));
    await vi.waitFor(async () => expect((await row(ids[0]))?.params).toEqual({ lr: 5 }), WAIT);
    const { ids: more } = await makeRuns(cwd, 1);
    await vi.waitFor(async () => expect(await row(more[0])).toBeDefined(), WAIT);
    rmSync(join(dir, "p", live.id), { recursive: true });
    await vi.waitFor(async () => expect(await row(live.id)).toBeUndefined(), WAIT);
  });
});
