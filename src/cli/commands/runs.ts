import { parseFilter } from "../../viewer/filter.js";
import { formatDuration, formatTable, formatValue } from "../../viewer/format.js";
import type { RunRow } from "../../viewer/readers/reader.js";
import { openReader, viewerArgs } from "./viewer-args.js";

const USAGE = "tracelet runs [--dir D] [--project P] [--where EXPR] [--json]";

/**
 * `tracelet runs`: one row per run (id, name, project, status, start, duration, params, last
 * value of each metric), newest first, read from the run summaries only.
 *
 * @param args - `--dir`, `--project`, `--where` (see docs/viewer.md), `--json`
 * @returns the exit code
 * @throws TraceletError `TRACELET_ERR_RUN_NOT_FOUND` (no runs directory), `TRACELET_ERR_FILTER_INVALID`
 */
export async function runs(args: string[]): Promise<number> {
  const parsed = viewerArgs("runs", USAGE, args, { project: { type: "string" }, where: { type: "string" } });
  if (typeof parsed === "number") return parsed;
  const { values } = parsed;
  const keep = parseFilter(typeof values.where === "string" ? values.where : "");
  const reader = await openReader(values);
  const rows = (await reader.listRuns({ project: values.project as string | undefined })).filter(keep);
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify(
        rows.map(({ workers: _w, ...r }) => r),
        null,
        2,
      )}\n`,
    );
    return 0;
  }
  if (rows.length === 0) {
    process.stdout.write("no runs\n");
    return 0;
  }
  process.stdout.write(`${runsTable(rows).join("\n")}\n`);
  return 0;
}

/**
 * The runs as table lines: fixed columns, then one column per param and per metric.
 *
 * @param rows - the runs
 * @returns the lines
 */
export function runsTable(rows: RunRow[]): string[] {
  const params = [...new Set(rows.flatMap((r) => Object.keys(r.params)))].sort();
  const metrics = [...new Set(rows.flatMap((r) => Object.keys(r.metrics)))].sort();
  const header = ["ID", "NAME", "PROJECT", "STATUS", "STARTED", "DURATION", ...params, ...metrics];
  const body = rows.map((r) => [
    r.id,
    r.name,
    r.project,
    r.status,
    r.startedAt ? r.startedAt.replace("T", " ").slice(0, 19) : "",
    formatDuration(r.durationMs),
    ...params.map((p) => formatValue(r.params[p])),
    ...metrics.map((m) => formatValue(r.metrics[m]?.last)),
  ]);
  return formatTable([header, ...body]);
}
