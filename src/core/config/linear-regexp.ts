import { createRequire } from "node:module";

type RE2JSClass = typeof import("re2js").RE2JS;

let engine: RE2JSClass | undefined;

// re2js is loaded on the first schema pattern: a run whose schemas have none never pays for it.
function re2(): RE2JSClass {
  if (!engine) engine = (createRequire(import.meta.url)("re2js") as typeof import("re2js")).RE2JS;
  return engine;
}

/** What ajv needs of a compiled pattern (its `code.regExp` option). */
export interface LinearRegExp {
  /** Whether the pattern matches anywhere in the text (as `RegExp.prototype.test`, in linear time). */
  test(text: string): boolean;
  /** `/pattern/flags`: ajv keys its compiled patterns by this text. */
  toString(): string;
}

function flagBits(flags: string): number {
  const RE2JS = re2();
  let bits = 0;
  for (const f of flags) {
    if (f === "i") bits |= RE2JS.CASE_INSENSITIVE;
    else if (f === "m") bits |= RE2JS.MULTILINE;
    else if (f === "s") bits |= RE2JS.DOTALL;
    // "u" (ajv's default): RE2 always works on code points. "g"/"y" do not change `test` here.
  }
  return bits;
}

// A backreference (`\1`, `\k<name>`) outside a character class. RE2 has none, and re2js's
// translation would turn `\k<name>` into the literal text `k<name>`: refused before that.
function hasBackreference(pattern: string): boolean {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      const next = pattern[i + 1] ?? "";
      if (!inClass && (next === "k" || (next >= "1" && next <= "9"))) return true;
      i++;
    } else if (c === "[") inClass = true;
    else if (c === "]") inClass = false;
  }
  return false;
}

/**
 * Compiles a JSON Schema `pattern` (ECMAScript syntax) for a linear-time engine (RE2, in pure
 * JavaScript): matching costs time proportional to the text, whatever the pattern, so no
 * pattern can make validation backtrack for ever (`^a*a*a*a*a*a*a*a*a*a*b$`, `(a|ab)*`, `(a+)+`).
 * Given to ajv as its `code.regExp` option.
 *
 * Differences from `RegExp`, all documented in docs/security.md: lookarounds, backreferences
 * and repeat counts over 1000 are refused (they cannot be matched in linear time), and `\s`
 * means ASCII white space only.
 *
 * @param pattern - the ECMAScript source
 * @param flags - ajv's flags (`"u"` or `""`)
 * @returns an object with `test`
 * @throws Error (a SyntaxError for an invalid pattern, else re2js's) when the pattern is not
 *   valid ECMAScript or uses syntax RE2 cannot match; ajv's compile fails with it, which
 *   config validation reports as `TRACELET_ERR_SCHEMA_INVALID`
 */
export function linearRegExp(pattern: string, flags = ""): LinearRegExp {
  // The native engine checks the syntax (compiling never backtracks; only matching does), so
  // nothing invalid in ECMAScript is given a meaning by the translation.
  new RegExp(pattern, flags.includes("u") ? flags : `${flags}u`);
  if (hasBackreference(pattern)) throw new SyntaxError(`backreferences are not supported: /${pattern}/`);
  const RE2JS = re2();
  const compiled = RE2JS.compile(RE2JS.translateRegExp(pattern), flagBits(flags));
  const text = `/${pattern}/${flags}`;
  return { test: (input: string) => compiled.test(String(input)), toString: () => text };
}

/**
 * Why a pattern cannot be matched by {@link linearRegExp}, if it cannot.
 *
 * @param pattern - the ECMAScript source
 * @returns the reason, or undefined when it compiles (or is not a regular expression at all:
 *   the schema compiler reports that)
 * @example
 * ```ts
 * linearPatternProblem("^(a|ab)*$"); // undefined: RE2 matches it in linear time
 * linearPatternProblem("(?=a)b"); // "uses syntax that cannot be matched in linear time (...)"
 * ```
 */
export function linearPatternProblem(pattern: string): string | undefined {
  try {
    new RegExp(pattern, "u");
  } catch {
    return undefined;
  }
  try {
    linearRegExp(pattern, "u");
    return undefined;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return `uses syntax that cannot be matched in linear time (lookaround, backreference or a repeat count over 1000: ${why.slice(0, 120)})`;
  }
}
