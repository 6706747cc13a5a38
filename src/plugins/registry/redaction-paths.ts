import { REDACTED, scrubText, secretValues } from "../../core/config/redact.js";
import { ANY_KEY, secretKeyPaths } from "../../core/config/secret-paths.js";
import { childLogger, type Logger } from "../../core/logger.js";

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

const LEVEL_METHODS: ReadonlySet<string> = new Set(["trace", "debug", "info", "warn", "error", "fatal"]);
// Bounds on the copy of a logged value: a huge or cyclic object must not make a log call explode.
const MAX_SCRUB_DEPTH = 16;

// A copy of a logged argument with every secret form replaced: strings anywhere (keys too),
// numbers equal to a secret, and errors (message, stack, cause and own fields), which stay
// errors so that pino still serializes them as `err`.
function scrubbed(value: unknown, secrets: readonly string[], depth: number, seen: WeakMap<object, unknown>): unknown {
  if (typeof value === "string") return scrubText(value, secrets);
  if ((typeof value === "number" || typeof value === "bigint") && secrets.includes(String(value))) return REDACTED;
  if (typeof value !== "object" || value === null) return value;
  if (seen.has(value)) return seen.get(value);
  if (depth >= MAX_SCRUB_DEPTH) return "[too deep]";
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const item of value) out.push(scrubbed(item, secrets, depth + 1, seen));
    return out;
  }
  const out: Record<string, unknown> =
    value instanceof Error ? (Object.create(Object.getPrototypeOf(value)) as Record<string, unknown>) : {};
  seen.set(value, out);
  const keys =
    value instanceof Error ? new Set(["name", "message", "stack", ...Object.keys(value)]) : Object.keys(value);
  for (const key of keys) {
    let field: unknown;
    try {
      field = (value as Record<string, unknown>)[key];
    } catch {
      continue; // a getter that throws: leave it out
    }
    if (field === undefined && !Object.hasOwn(value, key)) continue;
    const copy = scrubbed(field, secrets, depth + 1, seen);
    if (value instanceof Error) Object.defineProperty(out, key, { value: copy, writable: true, configurable: true });
    else out[scrubText(key, secrets)] = copy;
  }
  if (value instanceof Error && value.cause !== undefined) {
    Object.defineProperty(out, "cause", { value: scrubbed(value.cause, secrets, depth + 1, seen), writable: true });
  }
  return out;
}

// Wraps a plugin's logger so that every line (and every child's) is scrubbed of the secret
// values before pino sees it: by value, so a secret under another key, in an array, in an
// error, URL-encoded or in base64 is hidden too (redaction by path covers only known keys).
function scrubbing(logger: Logger, secrets: () => readonly string[]): Logger {
  const wrapped = new Map<string | symbol, unknown>();
  return new Proxy(logger, {
    get(target, prop) {
      const cached = wrapped.get(prop);
      if (cached) return cached;
      const value = Reflect.get(target, prop, target);
      if (typeof prop === "string" && LEVEL_METHODS.has(prop) && typeof value === "function") {
        const method = (...args: unknown[]): void => {
          const current = secrets();
          if (current.length > 0 && target.isLevelEnabled(prop)) {
            const seen = new WeakMap<object, unknown>();
            for (let i = 0; i < args.length; i++) args[i] = scrubbed(args[i], current, 0, seen);
          }
          Reflect.apply(Reflect.get(target, prop, target) as (...a: unknown[]) => void, target, args);
        };
        wrapped.set(prop, method);
        return method;
      }
      if (prop === "child") {
        const child = (bindings: Record<string, unknown>, options?: object) =>
          scrubbing(
            target.child(
              scrubbed(bindings, secrets(), 0, new WeakMap()) as Record<string, unknown>,
              options,
            ) as unknown as Logger,
            secrets,
          );
        wrapped.set(prop, child);
        return child;
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/**
 * A plugin's logger: `childLogger(root, name)` that also redacts the plugin's secrets by key
 * (by {@link redactionPaths}, bracket notation included) and, given its config, by value: each
 * secret value, in every form of `secretForms` (URL-encoded, JSON-escaped, base64), is replaced
 * wherever it appears in a line: the message, other keys, arrays, errors and their causes.
 *
 * @param root - the root logger
 * @param name - the plugin's name
 * @param schema - the plugin's effective schema
 * @param config - the plugin's current (validated) config, read at each line so that a
 *   reconfigured plugin's new secrets are hidden too; without it only keys are redacted
 * @returns the logger
 */
export function pluginLogger(
  root: Logger,
  name: string,
  schema: unknown,
  config?: () => Readonly<Record<string, unknown>> | undefined,
): Logger {
  const logger = childLogger(root, name, redactionPaths(schema));
  if (!config || secretKeyPaths(schema).length === 0) return logger;
  let seenConfig: unknown;
  let values: readonly string[] = [];
  return scrubbing(logger, () => {
    const current = config();
    if (current !== seenConfig) {
      seenConfig = current;
      values = secretValues(schema, current);
    }
    return values;
  });
}
