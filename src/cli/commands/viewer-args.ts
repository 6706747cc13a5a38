import { resolve } from "node:path";
import { type ParseArgsConfig, parseArgs } from "node:util";
import type { RunReader } from "../../viewer/readers/reader.js";

/** Options every viewer command takes. */
const COMMON = {
  dir: { type: "string" },
  db: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** What {@link viewerArgs} parsed. */
export interface ViewerArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/**
 * Parses a viewer command's arguments (`--dir`, `--db`, `--json` and the command's own options); an
 * unknown option or a missing value prints one line and the usage.
 *
 * @param command - the command's name
 * @param usage - its usage line
 * @param args - the arguments
 * @param options - its own options, as `node:util` parseArgs takes them
 * @returns the parsed arguments, or the exit code when they are wrong or help was asked for
 */
export function viewerArgs(
  command: string,
  usage: string,
  args: string[],
  options: ParseArgsConfig["options"] = {},
): ViewerArgs | number {
  try {
    const { values, positionals } = parseArgs({ args, options: { ...COMMON, ...options }, allowPositionals: true });
    if (values.help) {
      process.stdout.write(`Usage: ${usage}\n`);
      return 0;
    }
    if (values.dir !== undefined && values.db !== undefined) {
      process.stderr.write(
        `tracelet ${command}: give --dir (run directories) or --db (a database), not both\nUsage: ${usage}\n`,
      );
      return 2;
    }
    return { values: values as ViewerArgs["values"], positionals };
  } catch (error) {
    process.stderr.write(`tracelet ${command}: ${(error as Error).message}\nUsage: ${usage}\n`);
    return 2;
  }
}

/**
 * The reader for `--db` (a database file of the `sqlite` backend) or `--dir` (run directories
 * of the `jsonl` backend, default `./tracelet-runs`).
 *
 * @param values - the parsed options
 * @param options - `watch`: the reader lists again and again (`tracelet ui`): run directories are watched for changes
 * @returns the reader
 * @throws TraceletError `TRACELET_ERR_DEPENDENCY_MISSING` when `--db` is given without better-sqlite3 installed,
 *   `TRACELET_ERR_RUN_NOT_FOUND` when the database file is missing or not Tracelet's
 */
export async function openReader(values: ViewerArgs["values"], options: { watch?: boolean } = {}): Promise<RunReader> {
  if (typeof values.db === "string") {
    const { SqliteReader } = await import("../../viewer/readers/sqlite-reader.js");
    return new SqliteReader(values.db);
  }
  const { JsonlReader } = await import("../../viewer/readers/jsonl-reader.js");
  return new JsonlReader(resolve(typeof values.dir === "string" ? values.dir : "tracelet-runs"), options);
}
