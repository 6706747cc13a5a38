import { TraceletError } from "../core/errors.js";

/** What a filter reads from a run: the fields of {@link RunRow}-like objects. */
export interface FilterableRun {
  id: string;
  name: string;
  project: string;
  status: string;
  params: Record<string, unknown>;
  tags: Record<string, string>;
  metrics: Record<string, { last: number }>;
}

type Node =
  | { kind: "and"; left: Node; right: Node }
  | { kind: "or"; left: Node; right: Node }
  | { kind: "not"; inner: Node }
  | { kind: "cmp"; field: string; op: string; value: string | number };

const OPS = ["<=", ">=", "!=", "==", "=", "<", ">", "~"];
const WORD = /^[A-Za-z0-9_.\-/:@]+/;

/**
 * Parses a run filter, the language of `tracelet runs --where` and the UI's filter box:
 * comparisons `field op value` joined by `and`, `or`, `not` and parentheses. Ops: `=` (or
 * `==`), `!=`, `<`, `<=`, `>`, `>=`, `~` (regular expression, case-insensitive). A field is
 * `id`, `name`, `project`, `status`, `params.<key>`, `metrics.<name>` (its last value),
 * `tags.<key>`, or a bare key looked up in params, then metrics, then tags. Values are numbers,
 * quoted strings or bare words. Numbers compare as numbers, anything else as text; a missing
 * field matches nothing.
 *
 * @param text - the expression (empty: every run)
 * @returns a predicate over runs
 * @throws TraceletError `TRACELET_ERR_FILTER_INVALID` when the expression cannot be parsed
 * @example
 * ```ts
 * const keep = parseFilter('params.lr < 0.01 and status = finished');
 * runs.filter(keep);
 * ```
 */
export function parseFilter(text: string): (run: FilterableRun) => boolean {
  if (text.trim() === "") return () => true;
  let pos = 0;
  const fail = (what: string): never => {
    throw new TraceletError("TRACELET_ERR_FILTER_INVALID", `Filter "${text}": ${what} at character ${pos + 1}.`, {
      details: { filter: text, position: pos },
    });
  };
  const space = () => {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  };
  const keyword = (k: string): boolean => {
    space();
    const re = new RegExp(`^${k}(?![A-Za-z0-9_])`, "i");
    if (!re.test(text.slice(pos))) return false;
    pos += k.length;
    return true;
  };
  const word = (): string | number => {
    space();
    const c = text[pos];
    if (c === '"' || c === "'") {
      const end = text.indexOf(c, pos + 1);
      if (end < 0) fail("unclosed quote");
      const s = text.slice(pos + 1, end);
      pos = end + 1;
      return s;
    }
    const m = WORD.exec(text.slice(pos));
    if (!m) return fail(pos >= text.length ? "a value is missing" : `unexpected "${c}"`);
    pos += m[0].length;
    const n = Number(m[0]);
    return m[0] !== "" && !Number.isNaN(n) ? n : m[0];
  };
  const primary = (): Node => {
    if (keyword("not")) return { kind: "not", inner: primary() };
    space();
    if (text[pos] === "(") {
      pos++;
      const inner = or();
      space();
      if (text[pos] !== ")") fail('")" expected');
      pos++;
      return inner;
    }
    const field = String(word());
    space();
    const op = OPS.find((o) => text.startsWith(o, pos));
    if (!op) return fail(`an operator (${OPS.join(" ")}) expected after "${field}"`);
    pos += op.length;
    return { kind: "cmp", field, op: op === "==" ? "=" : op, value: word() };
  };
  const and = (): Node => {
    let left = primary();
    while (keyword("and")) left = { kind: "and", left, right: primary() };
    return left;
  };
  const or = (): Node => {
    let left = and();
    while (keyword("or")) left = { kind: "or", left, right: and() };
    return left;
  };
  const tree = or();
  space();
  if (pos < text.length) fail(`unexpected "${text.slice(pos)}"`);
  const regexes = new Map<string, RegExp>();
  for (const n of nodes(tree)) {
    if (n.kind !== "cmp" || n.op !== "~") continue;
    try {
      regexes.set(String(n.value), new RegExp(String(n.value), "i"));
    } catch {
      pos = text.indexOf(String(n.value));
      fail(`"${n.value}" is not a regular expression`);
    }
  }
  return (run) => evaluate(tree, run, regexes);
}

function* nodes(n: Node): Generator<Node> {
  yield n;
  if (n.kind === "and" || n.kind === "or") {
    yield* nodes(n.left);
    yield* nodes(n.right);
  } else if (n.kind === "not") yield* nodes(n.inner);
}

function evaluate(n: Node, run: FilterableRun, regexes: Map<string, RegExp>): boolean {
  if (n.kind === "and") return evaluate(n.left, run, regexes) && evaluate(n.right, run, regexes);
  if (n.kind === "or") return evaluate(n.left, run, regexes) || evaluate(n.right, run, regexes);
  if (n.kind === "not") return !evaluate(n.inner, run, regexes);
  return compare(n, run, regexes);
}

function compare(n: Extract<Node, { kind: "cmp" }>, run: FilterableRun, regexes: Map<string, RegExp>): boolean {
  const actual = lookup(run, n.field);
  if (actual === undefined || actual === null) return false;
  if (n.op === "~") return (regexes.get(String(n.value)) as RegExp).test(String(actual));
  const a = typeof actual === "number" ? actual : Number(actual);
  const numeric = typeof n.value === "number" && typeof actual !== "boolean" && actual !== "" && !Number.isNaN(a);
  const left: number | string = numeric ? a : String(actual);
  const right: number | string = numeric ? (n.value as number) : String(n.value);
  switch (n.op) {
    case "=":
      return left === right;
    case "!=":
      return left !== right;
    case "<":
      return left < right;
    case "<=":
      return left <= right;
    case ">":
      return left > right;
    default:
      return left >= right;
  }
}

function lookup(run: FilterableRun, field: string): unknown {
  if (field === "id" || field === "name" || field === "project" || field === "status") return run[field];
  const dot = field.indexOf(".");
  const scope = dot > 0 ? field.slice(0, dot) : "";
  const key = field.slice(dot + 1);
  if (scope === "params") return run.params[key];
  if (scope === "metrics") return run.metrics[key]?.last;
  if (scope === "tags") return run.tags[key];
  return run.params[field] ?? run.metrics[field]?.last ?? run.tags[field];
}
