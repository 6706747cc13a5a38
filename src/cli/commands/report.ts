import { writeFile } from "node:fs/promises";
import { buildReport } from "../../viewer/report.js";
import { openReader, viewerArgs } from "./viewer-args.js";

const USAGE = "tracelet report <run>... --out FILE.html [--dir D]";

/**
 * `tracelet report <run>... --out FILE.html`: the runs' table and charts as one HTML file with
 * the page's script, style and data inline, which opens offline.
 *
 * @param args - the runs, `--out`, `--dir`
 * @returns the exit code (2 on bad arguments)
 * @throws TraceletError `TRACELET_ERR_RUN_NOT_FOUND`, `TRACELET_ERR_RUN_AMBIGUOUS`
 */
export async function report(args: string[]): Promise<number> {
  const parsed = viewerArgs("report", USAGE, args, { out: { type: "string", short: "o" } });
  if (typeof parsed === "number") return parsed;
  const out = parsed.values.out;
  if (parsed.positionals.length === 0 || typeof out !== "string") {
    process.stderr.write(`tracelet report: give at least one run and --out FILE.html\nUsage: ${USAGE}\n`);
    return 2;
  }
  const reader = await openReader(parsed.values);
  const runs = [];
  for (const ref of parsed.positionals) runs.push(await reader.getRun(ref));
  await writeFile(out, await buildReport(reader, runs));
  process.stdout.write(`tracelet report: wrote ${out} (${runs.length} run(s))\n`);
  return 0;
}
