#!/usr/bin/env node
import { isTraceletError } from "../core/errors.js";
import { TRACELET_VERSION } from "../core/version.js";

/** A CLI command: takes its arguments, returns the exit code. */
export type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  demo: {
    summary: "run a short example experiment on the embedded jsonl backend",
    load: async () => (await import("./commands/demo.js")).demo,
  },
  plugins: {
    summary: "list every candidate plugin with its state [--json]",
    load: async () => (await import("./commands/plugins.js")).plugins,
  },
  sync: {
    summary: "replay the spool of a run whose process died: tracelet sync <run dir>",
    load: async () => (await import("./commands/sync.js")).sync,
  },
};

function help(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `tracelet ${TRACELET_VERSION}\n\nUsage: tracelet <command> [options]\n\nCommands:\n${lines.join("\n")}\n`;
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
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`tracelet: unknown command "${name}"\n\n${help()}`);
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
