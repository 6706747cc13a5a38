import { startViewerServer } from "../../viewer/server/server.js";
import { openReader, viewerArgs } from "./viewer-args.js";

const USAGE = "tracelet ui [--dir D | --db F] [--port N] [--host H]";

/**
 * `tracelet ui`: serves the runs table and live metric charts on `http://127.0.0.1:5454/`
 * until interrupted.
 *
 * @param args - `--dir` or `--db`, `--port`, `--host`
 * @returns the exit code once the server stops (2 on bad arguments)
 * @throws TraceletError `TRACELET_ERR_RUN_NOT_FOUND` when the runs directory or database does not
 *   exist, `TRACELET_ERR_DEPENDENCY_MISSING` for `--db` without better-sqlite3
 */
export async function ui(args: string[]): Promise<number> {
  const parsed = viewerArgs("ui", USAGE, args, { port: { type: "string" }, host: { type: "string" } });
  if (typeof parsed === "number") return parsed;
  const port = parsed.values.port === undefined ? 5454 : Number(parsed.values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`tracelet ui: --port must be an integer from 0 to 65535\nUsage: ${USAGE}\n`);
    return 2;
  }
  const reader = await openReader(parsed.values, { watch: true });
  await reader.listRuns();
  const server = await startViewerServer({ reader, port, host: parsed.values.host as string | undefined });
  process.stdout.write(`tracelet ui: ${server.url} (Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      void server.close().then(resolve);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  return 0;
}
