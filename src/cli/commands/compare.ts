import { formatTable, formatValue } from "../../viewer/format.js";
import type { RunRow } from "../../viewer/readers/reader.js";
import { openReader, viewerArgs } from "./viewer-args.js";

const USAGE = "tracelet compare <run> <run>... [--dir D] [--json]";

/**
 * `tracelet compare <run> <run>...`: params and last metric values side by side; a row whose
 * values differ is marked with `*`.
 *
 * @param args - two or more runs, `--dir`, `--json`
 * @returns the exit code (2 with fewer than two runs)
 * @throws TraceletError `TRACELET_ERR_RUN_NOT_FOUND`, `TRACELET_ERR_RUN_AMBIGUOUS`
 */
export async function compare(args: string[]): Promise<number> {
  const parsed = viewerArgs("compare", USAGE, args);
  if (typeof parsed === "number") return parsed;
  if (parsed.positionals.length < 2) {
    process.stderr.write(`tracelet compare: give at least two runs\nUsage: ${USAGE}\n`);
    return 2;
  }
  const reader = await openReader(parsed.values);
  const runs: RunRow[] = [];
  for (const ref of parsed.positionals) runs.push(await reader.getRun(ref));
  const keys = (pick: (r: RunRow) => Record<string, unknown>) =>
    [...new Set(runs.flatMap((r) => Object.keys(pick(r))))].sort();
  const rows: { kind: "param" | "metric"; key: string; values: unknown[]; differs: boolean }[] = [];
  for (const key of keys((r) => r.params)) {
    const values = runs.map((r) => r.params[key]);
    rows.push({ kind: "param", key, values, differs: new Set(values.map((v) => JSON.stringify(v))).size > 1 });
  }
  for (const key of keys((r) => r.metrics)) {
    const values = runs.map((r) => r.metrics[key]?.last);
    rows.push({ kind: "metric", key, values, differs: new Set(values.map((v) => String(v))).size > 1 });
  }
  if (parsed.values.json) {
    process.stdout.write(
      `${JSON.stringify({ runs: runs.map((r) => ({ id: r.id, name: r.name, status: r.status })), rows }, null, 2)}\n`,
    );
    return 0;
  }
  const table = [
    ["", "KEY", ...runs.map((r) => r.id)],
    ["", "name", ...runs.map((r) => r.name)],
    ["", "status", ...runs.map((r) => r.status)],
    ...rows.map((row) => [
      row.differs ? "*" : "",
      `${row.kind === "param" ? "params" : "metrics"}.${row.key}`,
      ...row.values.map(formatValue),
    ]),
  ];
  process.stdout.write(`${formatTable(table).join("\n")}\n* values differ\n`);
  return 0;
}
