import { readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import { formatDuration, formatTable, formatValue } from "../../viewer/format.js";
import { openReader, viewerArgs } from "./viewer-args.js";

const USAGE = "tracelet show <run> [--dir D] [--json]";

/**
 * `tracelet show <run>`: one run's identity, params, each metric's count / last / min / max,
 * its workers, artifacts, and how it failed if it did.
 *
 * @param args - the run (id, unique id prefix, or directory), `--dir`, `--json`
 * @returns the exit code (2 without a run)
 * @throws TraceletError `TRACELET_ERR_RUN_NOT_FOUND`, `TRACELET_ERR_RUN_AMBIGUOUS`
 */
export async function show(args: string[]): Promise<number> {
  const parsed = viewerArgs("show", USAGE, args);
  if (typeof parsed === "number") return parsed;
  const [ref, ...extra] = parsed.positionals;
  if (ref === undefined || extra.length > 0) {
    process.stderr.write(`tracelet show: give one run\nUsage: ${USAGE}\n`);
    return 2;
  }
  const run = await (await openReader(parsed.values)).getRun(ref);
  const artifacts = await listFiles(join(run.location, "artifacts"));
  if (parsed.values.json) {
    process.stdout.write(`${JSON.stringify({ ...run, artifacts }, null, 2)}\n`);
    return 0;
  }
  const out = [
    `run       ${run.id}`,
    `name      ${run.name}`,
    `project   ${run.project}`,
    `status    ${run.status}${run.signal ? ` (${run.signal})` : ""}`,
    `started   ${run.startedAt ?? ""}`,
    `duration  ${formatDuration(run.durationMs)}`,
    `dir       ${run.location}`,
  ];
  if (run.error) out.push(`error     ${run.error.code}: ${run.error.message}`);
  if (Object.keys(run.tags).length > 0)
    out.push(
      `tags      ${Object.entries(run.tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ")}`,
    );
  out.push("", "params");
  const params = Object.entries(run.params);
  if (params.length === 0) out.push("  (none)");
  for (const [k, v] of params) out.push(`  ${k} = ${formatValue(v)}`);
  out.push("", "metrics");
  const metrics = Object.entries(run.metrics);
  if (metrics.length === 0) out.push("  (none)");
  else
    out.push(
      ...formatTable([
        ["NAME", "COUNT", "LAST", "MIN", "MAX", "LAST STEP"],
        ...metrics.map(([k, m]) => [
          k,
          String(m.count),
          formatValue(m.last),
          formatValue(m.min),
          formatValue(m.max),
          String(m.lastStep),
        ]),
      ]).map((l) => `  ${l}`),
    );
  if (run.workers.length > 1) {
    out.push("", "workers");
    for (const w of run.workers)
      out.push(`  ${w.key.padEnd(12)} ${w.status.padEnd(11)} pid ${w.pid ?? "?"} on ${w.host ?? "?"}`);
  }
  out.push("", "artifacts");
  if (artifacts.length === 0) out.push("  (none)");
  for (const a of artifacts) out.push(`  ${a}`);
  process.stdout.write(`${out.join("\n")}\n`);
  return 0;
}

async function listFiles(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true, recursive: true });
    return entries
      .filter((e) => e.isFile())
      .map((e) => relative(dir, join(e.parentPath, e.name)))
      .sort();
  } catch {
    return [];
  }
}
