#!/usr/bin/env node
import { isTraceletError } from "../core/errors.js";
import { didYouMean } from "../core/util/did-you-mean.js";
import { TRACELET_VERSION } from "../core/version.js";

/** A CLI command: takes its arguments, returns the exit code. */
export type Command = (args: string[]) => Promise<number>;

/** A flag a command takes: its name, whether a value follows it, what it does. */
interface Flag {
  name: string;
  value?: string;
  help: string;
}

interface CommandSpec {
  summary: string;
  usage: string;
  flags: Flag[];
  /** Whether the command takes positional arguments (a run directory). */
  positional: boolean;
  load: () => Promise<Command>;
}

const HELP_FLAG: Flag = { name: "--help", help: "print this help and exit" };

const COMMANDS: Record<string, CommandSpec> = {
  demo: {
    summary: "run a short example experiment on the embedded jsonl backend",
    usage: "tracelet demo [--dir <dir>] [--fast]",
    flags: [
      { name: "--dir", value: "<dir>", help: "base directory of runs (default ./tracelet-runs)" },
      { name: "--fast", help: "no pauses between epochs" },
    ],
    positional: false,
    load: async () => (await import("./commands/demo.js")).demo,
  },
  plugins: {
    summary: "list every candidate plugin with its state; exits 1 on any problem [--json]",
    usage: "tracelet plugins [--json] [--cwd <dir>] [--strict | --no-cache]",
    flags: [
      { name: "--json", help: "print the listing as JSON" },
      { name: "--cwd", value: "<dir>", help: "the project to look in (default: the working directory)" },
      { name: "--strict", help: "check every package.json before trusting the discovery cache" },
      { name: "--no-cache", help: "scan node_modules again, ignoring the discovery cache" },
    ],
    positional: false,
    load: async () => (await import("./commands/plugins.js")).plugins,
  },
  sync: {
    summary: "replay the spool of a run whose process died: tracelet sync <run dir>",
    usage: "tracelet sync <run dir> [--config <json>] [--timeout <ms>]",
    flags: [
      { name: "--config", value: "<json>", help: "config values added to every backend (e.g. secrets)" },
      { name: "--timeout", value: "<ms>", help: "deadline of each backend call (default: the flush deadline)" },
    ],
    positional: true,
    load: async () => (await import("./commands/sync.js")).sync,
  },
  runs: {
    summary: "list runs: status, params, last metric values [--where EXPR] [--json]",
    usage: "tracelet runs [--dir <dir>] [--project <name>] [--where <expr>] [--json]",
    flags: [
      { name: "--dir", value: "<dir>", help: "runs directory (default ./tracelet-runs)" },
      { name: "--project", value: "<name>", help: "only the runs of this project" },
      { name: "--where", value: "<expr>", help: 'filter, e.g. "params.lr < 0.01 and status = finished"' },
      { name: "--json", help: "print the runs as JSON" },
    ],
    positional: false,
    load: async () => (await import("./commands/runs.js")).runs,
  },
  show: {
    summary: "one run: identity, params, each metric's count/last/min/max, artifacts",
    usage: "tracelet show <run> [--dir <dir>] [--json]",
    flags: [
      { name: "--dir", value: "<dir>", help: "runs directory (default ./tracelet-runs)" },
      { name: "--json", help: "print the run as JSON" },
    ],
    positional: true,
    load: async () => (await import("./commands/show.js")).show,
  },
  compare: {
    summary: "params and last metric values of runs side by side, differences marked",
    usage: "tracelet compare <run> <run>... [--dir <dir>] [--json]",
    flags: [
      { name: "--dir", value: "<dir>", help: "runs directory (default ./tracelet-runs)" },
      { name: "--json", help: "print the comparison as JSON" },
    ],
    positional: true,
    load: async () => (await import("./commands/compare.js")).compare,
  },
  export: {
    summary: "every point of a run, as CSV or JSON Lines",
    usage: "tracelet export <run> [--format csv|jsonl] [--out <file>] [--dir <dir>]",
    flags: [
      { name: "--format", value: "csv|jsonl", help: "output format (default csv)" },
      { name: "--out", value: "<file>", help: "write to this file (default stdout)" },
      { name: "--dir", value: "<dir>", help: "runs directory (default ./tracelet-runs)" },
    ],
    positional: true,
    load: async () => (await import("./commands/export.js")).exportRun,
  },
  ui: {
    summary: "a local web page with the runs table and live metric charts",
    usage: "tracelet ui [--dir <dir>] [--port <n>] [--host <host>]",
    flags: [
      { name: "--dir", value: "<dir>", help: "runs directory (default ./tracelet-runs)" },
      { name: "--port", value: "<n>", help: "port (default 5454; 0 picks a free one)" },
      { name: "--host", value: "<host>", help: "address to listen on (default 127.0.0.1)" },
    ],
    positional: false,
    load: async () => (await import("./commands/ui.js")).ui,
  },
  report: {
    summary: "the charts of runs as one self-contained HTML file that opens offline",
    usage: "tracelet report <run>... --out <file.html> [--dir <dir>]",
    flags: [
      { name: "--out", value: "<file.html>", help: "the HTML file to write" },
      { name: "--dir", value: "<dir>", help: "runs directory (default ./tracelet-runs)" },
    ],
    positional: true,
    load: async () => (await import("./commands/report.js")).report,
  },
};

function help(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return (
    `tracelet ${TRACELET_VERSION}\n\nUsage: tracelet <command> [options]\n\nCommands:\n${lines.join("\n")}\n\n` +
    "Run `tracelet <command> --help` for a command's options.\n"
  );
}

function commandHelp(name: string, spec: CommandSpec): string {
  const flags = [...spec.flags, HELP_FLAG].map((f) => [`${f.name}${f.value ? ` ${f.value}` : ""}`, f.help]);
  const width = Math.max(...flags.map(([f]) => (f as string).length));
  const rows = flags.map(([f, h]) => `  ${(f as string).padEnd(width)}  ${h}`);
  return `tracelet ${name}: ${spec.summary}\n\nUsage: ${spec.usage}\n\nOptions:\n${rows.join("\n")}\n`;
}

/**
 * Checks a command's arguments against its flags: an unknown flag, a flag missing its value or
 * an argument the command does not take is refused with the list of valid flags.
 *
 * @returns the message of the first problem, or undefined
 */
function checkArgs(name: string, spec: CommandSpec, args: string[]): string | undefined {
  const byName = new Map(spec.flags.map((f) => [f.name, f]));
  const valid = [...spec.flags, HELP_FLAG].map((f) => `${f.name}${f.value ? ` ${f.value}` : ""}`).join(", ");
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg.startsWith("-") && arg !== "-") {
      const flag = byName.get(arg);
      if (!flag) {
        const hint = didYouMean(arg, [...byName.keys(), HELP_FLAG.name]);
        return `tracelet ${name}: unknown option "${arg}".${hint} Valid options: ${valid}.`;
      }
      if (flag.value) {
        if (i + 1 >= args.length) return `tracelet ${name}: option "${arg}" needs a value ${flag.value}.`;
        i++;
      }
    } else if (!spec.positional) {
      return `tracelet ${name}: unexpected argument "${arg}". Valid options: ${valid}.`;
    }
  }
  return undefined;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    process.stdout.write(help());
    return name === undefined ? 1 : 0;
  }
  if (name === "--version" || name === "-v") {
    process.stdout.write(`${TRACELET_VERSION}\n`);
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    const hint = didYouMean(name, Object.keys(COMMANDS));
    process.stderr.write(`tracelet: unknown command "${name}".${hint}\n\n${help()}`);
    return 2;
  }
  // `--help` anywhere before a value: the help, and nothing run (no demo run written).
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(commandHelp(name, command));
    return 0;
  }
  const problem = checkArgs(name, command, args);
  if (problem) {
    process.stderr.write(`${problem}\nRun \`tracelet ${name} --help\` for usage.\n`);
    return 2;
  }
  return (await command.load())(args);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (isTraceletError(error)) console.error(`tracelet: ${error.code}: ${error.message}`);
    else console.error(error);
    process.exitCode = 1;
  },
);
