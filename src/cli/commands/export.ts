import { once } from "node:events";
import { createWriteStream } from "node:fs";
import type { Writable } from "node:stream";
import { openReader, viewerArgs } from "./viewer-args.js";

const USAGE = "tracelet export <run> [--format csv|jsonl] [--out FILE] [--dir D]";

/**
 * `tracelet export <run>`: every point of a run at full resolution, streamed as CSV
 * (`worker,name,step,value,timestamp`) or JSON Lines, to `--out` or stdout; on a terminal a
 * progress bar on stderr.
 *
 * @param args - the run, `--format`, `--out`, `--dir`
 * @returns the exit code (2 on bad arguments)
 * @throws TraceletError `TRACELET_ERR_RUN_NOT_FOUND`, `TRACELET_ERR_RUN_AMBIGUOUS`
 */
export async function exportRun(args: string[]): Promise<number> {
  const parsed = viewerArgs("export", USAGE, args, { format: { type: "string" }, out: { type: "string", short: "o" } });
  if (typeof parsed === "number") return parsed;
  const format = (parsed.values.format as string | undefined) ?? "csv";
  const [ref, ...extra] = parsed.positionals;
  if (ref === undefined || extra.length > 0 || (format !== "csv" && format !== "jsonl")) {
    process.stderr.write(
      `tracelet export: ${ref === undefined || extra.length > 0 ? "give one run" : `unknown format "${format}" (csv or jsonl)`}\nUsage: ${USAGE}\n`,
    );
    return 2;
  }
  const reader = await openReader(parsed.values);
  const run = await reader.getRun(ref);
  const outPath = parsed.values.out as string | undefined;
  const out: Writable = outPath ? createWriteStream(outPath) : process.stdout;
  // A reader that stops early (`| head`) ends the export quietly.
  if (!outPath) process.stdout.on("error", (e: NodeJS.ErrnoException) => process.exit(e.code === "EPIPE" ? 0 : 1));
  const total = Object.values(run.metrics).reduce((n, m) => n + m.count, 0);
  const bar = process.stderr.isTTY && (outPath !== undefined || !process.stdout.isTTY) ? progress(total) : undefined;
  if (format === "csv") await write(out, "worker,name,step,value,timestamp\n");
  let done = 0;
  for await (const batch of reader.iteratePoints(run)) {
    let text = "";
    for (const p of batch.points) {
      text +=
        format === "csv"
          ? `${batch.worker},${csvField(p.name)},${p.step},${p.value},${p.timestamp}\n`
          : `${JSON.stringify({ worker: batch.worker, name: p.name, value: Number.isFinite(p.value) ? p.value : String(p.value), step: p.step, timestamp: p.timestamp })}\n`;
    }
    await write(out, text);
    done += batch.points.length;
    bar?.(done);
  }
  bar?.(done, true);
  if (outPath) {
    out.end();
    await once(out, "finish");
  }
  return 0;
}

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, "drain");
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** A progress bar on stderr, redrawn at most every 100 ms. */
function progress(total: number): (done: number, last?: boolean) => void {
  let drawn = 0;
  return (done, last = false) => {
    const now = Date.now();
    if (!last && now - drawn < 100) return;
    drawn = now;
    const f = total > 0 ? Math.min(1, done / total) : 1;
    const width = 30;
    const full = Math.round(f * width);
    process.stderr.write(
      `\r[${"#".repeat(full)}${"-".repeat(width - full)}] ${(f * 100).toFixed(0).padStart(3)}% ${done} points${last ? "\n" : ""}`,
    );
  };
}
