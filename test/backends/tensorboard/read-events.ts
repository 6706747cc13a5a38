import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const here = import.meta.dirname;

/** A protobuf text-format message: each field name maps to its values, in order. */
export type TextMessage = Record<string, Array<string | TextMessage>>;

/**
 * Decodes one event file with tools Tracelet did not write: Debian's python3-crc32c checks
 * every CRC (read-tfrecords.py), Debian's protoc decodes the records against
 * tensorboard-min.proto.
 *
 * @param path - an events.out.tfevents.* file
 * @returns the events, as protoc's text format parsed into objects
 */
export function decodeEventFile(path: string): TextMessage[] {
  const wrapped = execFileSync("/usr/bin/python3", [join(here, "read-tfrecords.py"), path], {
    maxBuffer: 1 << 30,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const text = execFileSync("protoc", [`--proto_path=${here}`, "--decode=tb.Records", "tensorboard-min.proto"], {
    input: wrapped,
    maxBuffer: 1 << 30,
  }).toString("utf8");
  return (parseText(text).event ?? []) as TextMessage[];
}

/**
 * Decodes every event file of a run folder, in name order (TensorBoard's reading order).
 *
 * @param dir - the run folder
 * @returns the file names and all events, file after file
 */
export function decodeRunFolder(dir: string): { files: string[]; events: TextMessage[] } {
  const files = readdirSync(dir)
    .filter((f) => f.startsWith("events.out.tfevents."))
    .sort();
  return { files, events: files.flatMap((f) => decodeEventFile(join(dir, f))) };
}

/**
 * Decodes a bytes field's content (as protoc printed it, C-escaped) against a message type.
 *
 * @param escaped - the printed value, without quotes
 * @param type - the message type, e.g. `tb.HParamsPluginData`
 * @returns the parsed message
 */
export function decodeBytes(escaped: string, type: string): TextMessage {
  const bytes = unescapeC(escaped);
  const text = execFileSync("protoc", [`--proto_path=${here}`, `--decode=${type}`, "tensorboard-min.proto"], {
    input: bytes,
  }).toString("utf8");
  return parseText(text);
}

function unescapeC(s: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c !== "\\") {
      out.push(...Buffer.from(c, "latin1"));
      continue;
    }
    const n = s[++i] as string;
    if (/[0-7]/.test(n)) {
      let oct = n;
      while (oct.length < 3 && /[0-7]/.test(s[i + 1] ?? "")) oct += s[++i];
      out.push(Number.parseInt(oct, 8));
    } else if (n === "x") {
      let hex = "";
      while (hex.length < 2 && /[0-9a-fA-F]/.test(s[i + 1] ?? "")) hex += s[++i];
      out.push(Number.parseInt(hex, 16));
    } else {
      const map: Record<string, number> = { n: 10, r: 13, t: 9, '"': 34, "'": 39, "\\": 92 };
      out.push(map[n] ?? n.charCodeAt(0));
    }
  }
  return Buffer.from(out);
}

/** Parses protoc's text format (`name: value`, `name { … }`). Strings stay C-escaped, unquoted. */
export function parseText(text: string): TextMessage {
  const tokens = text.match(/"(?:[^"\\]|\\.)*"|[{}]|[^\s{}:]+:?/g) ?? [];
  let at = 0;
  const message = (): TextMessage => {
    const out: TextMessage = {};
    while (at < tokens.length && tokens[at] !== "}") {
      const name = (tokens[at++] as string).replace(/:$/, "");
      let value: string | TextMessage;
      if (tokens[at] === "{") {
        at++;
        value = message();
      } else value = tokens[at++] as string;
      const values = out[name] ?? [];
      values.push(value);
      out[name] = values;
    }
    if (tokens[at] === "}") at++;
    return out;
  };
  return message();
}

/**
 * A printed string field, unescaped (protoc prints UTF-8 as octal escapes).
 *
 * @param printed - the value as printed, quotes included
 * @returns the text
 */
export function textOf(printed: string | TextMessage | undefined): string {
  if (typeof printed !== "string") throw new Error("not a string field");
  return unescapeC(printed.replace(/^"|"$/g, "")).toString("utf8");
}

/**
 * The first value at a path of fields, e.g. `first(value, "metadata", "plugin_data", "plugin_name")`.
 *
 * @param message - a parsed message
 * @param path - field names
 * @returns the value, or undefined when a field on the way is absent
 */
export function first(message: TextMessage | undefined, ...path: string[]): string | TextMessage | undefined {
  let at: string | TextMessage | undefined = message;
  for (const name of path) {
    if (at === undefined || typeof at === "string") return undefined;
    at = at[name]?.[0];
  }
  return at;
}
