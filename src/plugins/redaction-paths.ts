import { ANY_KEY, secretKeyPaths } from "../core/config/secret-paths.js";
import { childLogger, type Logger } from "../core/logger.js";

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
// Keys pino's path parser reads inside `["..."]`: no quote, backslash, bracket or line break.
const QUOTABLE = /^[^"'`\\[\]\r\n]+$/;

// One segment in pino (fast-redact) path syntax. A key that cannot be written safely becomes a
// wildcard: redacting its siblings too is better than leaving it in a log line.
function segment(key: string): string {
  if (key === ANY_KEY) return "[*]";
  if (IDENTIFIER.test(key)) return `.${key}`;
  if (QUOTABLE.test(key)) return `["${key}"]`;
  return "[*]";
}

function pinoPath(head: string, keys: readonly string[]): string {
  const tail = keys.map(segment).join("");
  if (head) return head + tail;
  return tail.startsWith(".") ? tail.slice(1) : tail;
}

/**
 * The pino redaction paths of a plugin's logger: each secret's path under `config` and at the
 * top level of a logged object, and each secret's own key at the top level and one level down
 * (a plugin that logs `{ password }` or `{ auth: { password } }` is covered too). Keys that are
 * not identifiers are written in bracket notation (`config["api-key"]`).
 *
 * @param schema - the plugin's effective schema
 * @returns pino paths (empty when the schema marks no secret)
 */
export function redactionPaths(schema: unknown): string[] {
  const paths = new Set<string>();
  for (const keys of secretKeyPaths(schema)) {
    paths.add(pinoPath("config", keys));
    if (keys[0] !== ANY_KEY) paths.add(pinoPath("", keys));
    const leaf = keys.at(-1) as string;
    if (leaf !== ANY_KEY) {
      paths.add(pinoPath("", [leaf]));
      paths.add(pinoPath("*", [leaf]));
    }
  }
  return [...paths];
}

/**
 * A plugin's logger: `childLogger(root, name)` that also redacts the plugin's secrets (by
 * {@link redactionPaths}, bracket notation included).
 *
 * @param root - the root logger
 * @param name - the plugin's name
 * @param schema - the plugin's effective schema
 * @returns the logger
 */
export function pluginLogger(root: Logger, name: string, schema: unknown): Logger {
  return childLogger(root, name, redactionPaths(schema));
}
