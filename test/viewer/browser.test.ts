import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Experiment, startExperiment } from "../../src/index.js";
import { JsonlReader } from "../../src/viewer/readers/jsonl-reader.js";
import { buildReport } from "../../src/viewer/report.js";
import { startViewerServer, type ViewerServer } from "../../src/viewer/server/server.js";
import { ROOT } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp-dir.js";
import { launchChromium } from "./chromium.js";
import { testPageAssets } from "./page-assets.js";

/** Share of a canvas's pixels that are not background: 0 for a blank chart. */
async function inked(page: Page, selector: string): Promise<number> {
  return page.$eval(selector, (c) => {
    const canvas = c as HTMLCanvasElement;
    const ctx = canvas.getContext("2d") as CanvasRenderingContext2D;
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    let ink = 0;
    for (let i = 0; i < data.length; i += 4)
      if (data[i + 3] > 0 && (data[i] < 200 || data[i + 1] < 200 || data[i + 2] < 200)) ink++;
    return ink / (data.length / 4);
  });
}

/** Screenshots go to docs/ when TRACELET_SCREENSHOTS=1 (to refresh the README's), else to a temp dir. */
const shotDir = process.env.TRACELET_SCREENSHOTS === "1" ? join(ROOT, "docs") : tmpdir();
const shot = (name: string) => join(shotDir, name);

describe("the viewer in a real browser (Debian's chromium, headless)", () => {
  let chromium: Awaited<ReturnType<typeof launchChromium>>;
  let server: ViewerServer;
  let live: Experiment;
  let cwd: string;
  let longId: string;

  beforeAll(async () => {
    chromium = await launchChromium();
    cwd = await tempDir();
    for (let r = 0; r < 3; r++) {
      const exp = await startExperiment({ cwd, project: "demo", name: `lr-${r}`, logLevel: "silent" });
      await exp.logParams({ lr: 0.1 / 10 ** r, optimizer: r === 2 ? "sgd" : "adam" });
      const n = r === 0 ? 20_000 : 400;
      for (let i = 0; i < n; i++) {
        const loss = (1 + r) * Math.exp(-i / (n / 4)) + 0.05 * Math.sin(i / 3) + (i === Math.floor(n / 2) ? 3 : 0);
        exp.logMetrics({ "train/loss": loss, "train/accuracy": 1 - loss / 4, "val/loss": loss * 1.1 }, i);
      }
      await exp.stop();
      if (r === 0) longId = exp.id;
    }
    live = await startExperiment({ cwd, project: "demo", name: "live", logLevel: "silent" });
    for (let i = 0; i < 30; i++) live.logMetric("train/loss", 2 / (i + 1), i);
    await live.flush();
    server = await startViewerServer({
      reader: new JsonlReader(join(cwd, "tracelet-runs")),
      port: 0,
      assets: await testPageAssets(),
    });
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await live?.stop();
    await chromium?.close();
  });

  it("loads without console errors, lists the runs, draws charts, takes a live point, fetches detail on zoom", async () => {
    const page = await chromium.context.newPage();
    const errors: string[] = [];
    const outside: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("request", (r) => {
      if (!r.url().startsWith(server.url)) outside.push(r.url());
    });
    await page.goto(`${server.url}#runs=${live.id},${longId}&smooth=0.5`);
    await page.waitForSelector("body[data-ready='1']");
    expect(await page.$$eval("#runs tbody tr", (trs) => trs.length)).toBe(4);
    expect(await page.textContent("#runs tbody")).toContain("lr-1");
    // Metric groups by "/" prefix.
    expect(await page.$$eval("details.group > summary", (s) => s.map((e) => e.textContent?.split(" ")[0]))).toEqual([
      "train",
      "val",
    ]);
    const chart = '.chart[data-metric="train/loss"]';
    await page.waitForSelector(`${chart} canvas`);
    expect(await inked(page, `${chart} canvas`)).toBeGreaterThan(0.002);
    // The 20,000-point run comes downsampled: at most ~2 points per pixel.
    const before = Number(await page.getAttribute(chart, "data-points"));
    expect(before).toBeLessThan(2 * 900 + 2 + 30 + 2);
    await page.screenshot({ path: shot("viewer-ui.png") });

    // A live point appears without reloading.
    live.logMetric("train/loss", 0.01, 30);
    await live.flush();
    await page.waitForFunction(
      ([sel, n]) => Number(document.querySelector(sel as string)?.getAttribute("data-points")) > (n as number),
      [chart, before],
      { timeout: 10_000 },
    );

    // Zoom: drag over a narrow x range; the series is fetched again for that step range.
    const zoomed = page.waitForResponse((r) => r.url().includes("/api/series") && r.url().includes("from="));
    const over = await page.$(`${chart} .u-over`);
    const box = await over?.boundingBox();
    if (!box) throw new Error("no chart overlay");
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.42, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    const detail = (await (await zoomed).json()) as { full: boolean; total: number; step: number[] }[];
    expect(detail[0].full).toBe(true);
    expect(detail[0].step.length).toBe(detail[0].total);
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    // State in the URL.
    expect(page.url()).toContain("smooth=0.5");
    await page.close();
  });

  it("renders the report offline, with no request at all", async () => {
    const reader = new JsonlReader(join(cwd, "tracelet-runs"));
    const runs = (await reader.listRuns()).filter((r) => r.status === "finished");
    const file = join(cwd, "report.html");
    await writeFile(file, await buildReport(reader, runs, await testPageAssets()));
    const context = chromium.context;
    await context.setOffline(true);
    const page = await context.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("request", (r) => requests.push(r.url()));
    await page.goto(`file://${file}`);
    await page.waitForSelector("body[data-ready='1']");
    expect(await page.$$eval("#runs tbody tr", (trs) => trs.length)).toBe(3);
    await page.waitForSelector('.chart[data-metric="val/loss"] canvas');
    expect(await inked(page, '.chart[data-metric="val/loss"] canvas')).toBeGreaterThan(0.002);
    await page.screenshot({ path: shot("viewer-report.png") });
    expect(errors).toEqual([]);
    expect(requests).toEqual([`file://${file}`]);
    await page.close();
    await context.setOffline(false);
  });
});
