import { resolve } from "node:path";
import { type ParseArgsConfig, parseArgs } from "node:util";
import type { RunReader } from "../../viewer/readers/reader.js";

/** Options every viewer command takes. */
const COMMON = {
  dir: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** What {@link viewerArgs} parsed. */
export interface ViewerArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/**
 * Parses a viewer command's arguments (`--dir`, `--json` and the command's own options); an
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
    return { values: values as ViewerArgs["values"], positionals };
  } catch (error) {
    process.stderr.write(`tracelet ${command}: ${(error as Error).message}\nUsage: ${usage}\n`);
    return 2;
  }
}

/**
 * The reader for `--dir` (default `./tracelet-runs`).
 *
 * @param values - the parsed options
 * @returns the reader
 */
export async function openReader(values: ViewerArgs["values"]): Promise<RunReader> {
  const { JsonlReader } = await import("../../viewer/readers/jsonl-reader.js");
  return new JsonlReader(resolve(typeof values.dir === "string" ? values.dir : "tracelet-runs"));
}
