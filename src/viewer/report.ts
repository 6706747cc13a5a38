import type { RunReader, RunRow, Series } from "./readers/reader.js";
import { type PageAssets, pageAssets, pageHtml } from "./server/assets.js";

/** Buckets per series in a report: a report is not re-fetched on zoom, so it holds a little more. */
export const REPORT_WIDTH = 1500;

/** The data a report embeds: what the live page would fetch. */
export interface ReportData {
  generatedAt: string;
  runs: Omit<RunRow, "location">[];
  series: Series[];
}

/**
 * Builds a self-contained HTML report of runs: the page's bundle, style and data inline, no
 * request to anything (its Content-Security-Policy forbids any).
 *
 * @param reader - where the runs are read from
 * @param runs - the runs
 * @param assets - the page bundle (default: the one built into `dist/viewer/`)
 * @returns the HTML
 */
export async function buildReport(
  reader: RunReader,
  runs: RunRow[],
  assets: PageAssets = pageAssets(),
): Promise<string> {
  const series: Series[] = [];
  for (const run of runs) {
    for (const metric of Object.keys(run.metrics)) {
      series.push(...(await reader.readSeries(run, metric, { width: REPORT_WIDTH })));
    }
  }
  const data: ReportData = {
    generatedAt: new Date().toISOString(),
    runs: runs.map(({ location: _l, ...r }) => r),
    series,
  };
  const title = `Tracelet report: ${runs.map((r) => r.name).join(", ")}`.slice(0, 200);
  // Non-finite values as strings, as the live API sends them.
  const plain = JSON.parse(
    JSON.stringify(data, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v)),
  );
  return pageHtml({ title, inline: { assets, data: plain } });
}
