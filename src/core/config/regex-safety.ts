import { ANY_CHAR, type CharSet, NO_CHARS, overlaps, unionOf } from "./char-set.js";
import { parseRegex, type RegexNode } from "./regex-ast.js";

/**
 * Repetitions (the product of the bounds of nested quantifiers) up to which a repeated part is
 * not examined: even an ambiguous body costs at most a few thousand steps per position, as in
 * the dotted-quad `(\.\d{1,3}){3}`.
 */
export const MAX_UNCHECKED_REPEATS = 10;

/** Why a pattern was refused: completes "the pattern at … ". */
export type UnsafeReason = string;

function nullable(n: RegexNode): boolean {
  switch (n.kind) {
    case "chars":
      return false;
    case "seq":
      return n.items.every(nullable);
    case "alt":
      return n.alts.some(nullable);
    case "repeat":
      return n.min === 0 || nullable(n.body);
    default:
      return true;
  }
}

// The characters a match of `n` can start with (`fromEnd`: end with).
function edge(n: RegexNode, fromEnd: boolean): CharSet {
  switch (n.kind) {
    case "chars":
      return n.set;
    case "backref":
      return ANY_CHAR;
    case "seq":
      return alongSeq(n.items, fromEnd, (item) => edge(item, fromEnd));
    case "alt":
      return unionOf(...n.alts.map((a) => edge(a, fromEnd)));
    case "repeat":
      return edge(n.body, fromEnd);
    default:
      return NO_CHARS;
  }
}

// What a repetition at the end of `n` (`fromEnd`; else at its start) could still take in:
// the characters that the next (previous) iteration of an enclosing repeat begins (ends) with.
function edgeRepeats(n: RegexNode, fromEnd: boolean): CharSet {
  switch (n.kind) {
    case "seq":
      return alongSeq(n.items, fromEnd, (item) => edgeRepeats(item, fromEnd));
    case "alt":
      return unionOf(...n.alts.map((a) => edgeRepeats(a, fromEnd)));
    case "repeat":
      return unionOf(n.max > 1 ? edge(n.body, !fromEnd) : NO_CHARS, edgeRepeats(n.body, fromEnd));
    default:
      return NO_CHARS;
  }
}

// Unites `of(item)` from one end of a sequence, up to and including its first non-nullable item.
function alongSeq(items: RegexNode[], fromEnd: boolean, of: (item: RegexNode) => CharSet): CharSet {
  const ordered = fromEnd ? [...items].reverse() : items;
  const sets: CharSet[] = [];
  for (const item of ordered) {
    sets.push(of(item));
    if (!nullable(item)) break;
  }
  return unionOf(...sets);
}

function* alternations(n: RegexNode): Generator<RegexNode[]> {
  if (n.kind === "alt") yield n.alts;
  if (n.kind === "seq") for (const item of n.items) yield* alternations(item);
  else if (n.kind === "alt") for (const a of n.alts) yield* alternations(a);
  else if (n.kind === "repeat" || n.kind === "look") yield* alternations(n.body);
}

// The body of a part repeated many times: can it match one text in more than one way?
function ambiguity(body: RegexNode): UnsafeReason | undefined {
  if (nullable(body)) return "repeats something that can match the empty string";
  for (const alts of alternations(body)) {
    const starts = alts.map((a) => edge(a, false));
    if (alts.filter(nullable).length > 1) return "repeats alternatives that can match the same prefix";
    for (let i = 0; i < starts.length; i++) {
      for (let j = i + 1; j < starts.length; j++) {
        if (overlaps(starts[i] as CharSet, starts[j] as CharSet))
          return "repeats alternatives that can match the same prefix";
      }
    }
  }
  // An inner repetition at the end of an iteration could also take what begins the next one
  // (or one at the start, what ends the previous): `(a+)+`, `(\w+\s?)*`, `(b?a+)*`.
  if (overlaps(edgeRepeats(body, true), edge(body, false)) || overlaps(edgeRepeats(body, false), edge(body, true)))
    return "nests quantifiers whose repetitions can take the same characters";
  return undefined;
}

function check(n: RegexNode, outer: number): UnsafeReason | undefined {
  switch (n.kind) {
    case "seq":
      return firstOf(n.items, (item) => check(item, outer));
    case "alt":
      return firstOf(n.alts, (a) => check(a, outer));
    case "look":
      return check(n.body, outer);
    case "repeat": {
      const times = outer * n.max;
      if (n.max > 1 && times > MAX_UNCHECKED_REPEATS) {
        const reason = ambiguity(n.body);
        if (reason) return reason;
      }
      return check(n.body, times);
    }
    default:
      return undefined;
  }
}

function firstOf<T>(items: readonly T[], fn: (item: T) => UnsafeReason | undefined): UnsafeReason | undefined {
  for (const item of items) {
    const reason = fn(item);
    if (reason) return reason;
  }
  return undefined;
}

/**
 * Looks for the shapes that make a backtracking regex engine take exponential time: a part
 * repeated many times whose body can match the empty string, offers alternatives that can
 * start alike (`(a|a)*`, `(a|ab)*`), or ends (or starts) with a repetition that can take what
 * the next (previous) iteration would (`(a+)+`, `(\w+\s?)*`). Conservative: some harmless
 * patterns are refused too (`(ab|ac)*`); common safe ones pass (`^[a-z]+(-[a-z]+)*$`,
 * `^(https?|ftp)://`, `(\.\d{1,3}){3}`).
 *
 * @param pattern - a regular expression source
 * @returns why it is unsafe, or undefined when it is safe (or not a regular expression at all:
 *   the schema compiler reports that)
 * @example
 * ```ts
 * unsafePatternReason("(a|ab)*"); // "repeats alternatives that can match the same prefix"
 * unsafePatternReason("^[a-z]+(-[a-z]+)*$"); // undefined
 * ```
 */
export function unsafePatternReason(pattern: string): UnsafeReason | undefined {
  try {
    new RegExp(pattern, "u");
  } catch {
    return undefined;
  }
  let tree: RegexNode;
  try {
    tree = parseRegex(pattern);
  } catch {
    return "cannot be analyzed for catastrophic backtracking";
  }
  return check(tree, 1);
}
