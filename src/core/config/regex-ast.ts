import { ANY_CHAR, type CharSet, charSet, complementOf, DIGIT, SPACE, unionOf, WORD } from "./char-set.js";

/**
 * A regular expression as the pattern-safety check sees it: only what decides how much a
 * backtracking engine may try (which characters each part can match, what repeats, what
 * alternates). Assertions match the empty string; a backreference may match anything.
 */
export type RegexNode =
  | { kind: "chars"; set: CharSet }
  | { kind: "empty" }
  | { kind: "backref" }
  | { kind: "look"; body: RegexNode }
  | { kind: "seq"; items: RegexNode[] }
  | { kind: "alt"; alts: RegexNode[] }
  | { kind: "repeat"; min: number; max: number; body: RegexNode };

const EMPTY: RegexNode = { kind: "empty" };
const CLASS_ESCAPES: Readonly<Record<string, CharSet>> = {
  d: DIGIT,
  D: complementOf(DIGIT),
  w: WORD,
  W: complementOf(WORD),
  s: SPACE,
  S: complementOf(SPACE),
};
const CONTROL: Readonly<Record<string, number>> = { n: 10, r: 13, t: 9, f: 12, v: 11, "0": 0 };
const BOUNDS = /^\{(\d+)(?:(,)(\d*))?\}/;

/**
 * Parses a regular expression that `new RegExp()` accepts (ajv compiles patterns with the
 * `u` flag) into a {@link RegexNode}.
 *
 * @param pattern - the source
 * @returns its tree
 * @throws Error when the source is not a regular expression this parser understands
 */
export function parseRegex(pattern: string): RegexNode {
  const parser = new RegexParser(pattern);
  const node = parser.alternation();
  if (!parser.done) throw new Error(`unexpected "${pattern[parser.pos]}" at ${parser.pos}`);
  return node;
}

class RegexParser {
  pos = 0;
  constructor(private readonly src: string) {}

  get done(): boolean {
    return this.pos >= this.src.length;
  }

  alternation(): RegexNode {
    const alts = [this.sequence()];
    while (this.src[this.pos] === "|") {
      this.pos++;
      alts.push(this.sequence());
    }
    return alts.length === 1 ? (alts[0] as RegexNode) : { kind: "alt", alts };
  }

  private sequence(): RegexNode {
    const items: RegexNode[] = [];
    while (!this.done && this.src[this.pos] !== "|" && this.src[this.pos] !== ")") items.push(this.quantified());
    return items.length === 1 ? (items[0] as RegexNode) : { kind: "seq", items };
  }

  private quantified(): RegexNode {
    const body = this.atom();
    const c = this.src[this.pos];
    let min: number;
    let max: number;
    if (c === "*" || c === "+" || c === "?") {
      this.pos++;
      [min, max] = c === "*" ? [0, Infinity] : c === "+" ? [1, Infinity] : [0, 1];
    } else {
      const m = c === "{" ? BOUNDS.exec(this.src.slice(this.pos)) : null;
      if (!m) return body;
      this.pos += m[0].length;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] ? Number(m[3]) : Infinity;
    }
    if (this.src[this.pos] === "?") this.pos++; // lazy: the same search space
    return { kind: "repeat", min, max, body };
  }

  private atom(): RegexNode {
    const c = this.src[this.pos++];
    if (c === "(") return this.group();
    if (c === "[") return { kind: "chars", set: this.charClass() };
    if (c === "\\") return this.escape();
    if (c === ".") return { kind: "chars", set: ANY_CHAR };
    if (c === "^" || c === "$") return EMPTY;
    this.pos--;
    return { kind: "chars", set: single(this.literal()) };
  }

  private group(): RegexNode {
    let look = false;
    if (this.src.startsWith("?:", this.pos)) this.pos += 2;
    else if (/^\?<?[=!]/.test(this.src.slice(this.pos, this.pos + 3))) {
      look = true;
      this.pos += this.src[this.pos + 1] === "<" ? 3 : 2;
    } else if (this.src.startsWith("?<", this.pos)) this.pos = this.src.indexOf(">", this.pos) + 1;
    const body = this.alternation();
    if (this.src[this.pos++] !== ")") throw new Error("unbalanced group");
    return look ? { kind: "look", body } : body;
  }

  private escape(): RegexNode {
    const c = this.src[this.pos] ?? "";
    if (c === "b" || c === "B") {
      this.pos++;
      return EMPTY;
    }
    if (/[1-9]/.test(c) || (c === "k" && this.src[this.pos + 1] === "<")) {
      this.pos =
        c === "k"
          ? this.src.indexOf(">", this.pos) + 1
          : this.pos + (/^\d+/.exec(this.src.slice(this.pos)) ?? [""])[0].length;
      return { kind: "backref" };
    }
    return { kind: "chars", set: this.escapedChars() };
  }

  // After a backslash, inside or outside a class: a class escape or one character.
  private escapedChars(inClass = false): CharSet {
    const c = this.src[this.pos++] ?? "";
    const cls = CLASS_ESCAPES[c];
    if (cls) return cls;
    if (c === "p" || c === "P") {
      if (this.src[this.pos] === "{") this.pos = this.src.indexOf("}", this.pos) + 1;
      return ANY_CHAR;
    }
    if (inClass && c === "b") return single(8);
    if (c in CONTROL && !(c === "0" && /\d/.test(this.src[this.pos] ?? ""))) return single(CONTROL[c] as number);
    if (c === "c" && /[a-z]/i.test(this.src[this.pos] ?? "")) return single(this.src.charCodeAt(this.pos++) % 32);
    if (c === "x" && /^[0-9a-f]{2}/i.test(this.src.slice(this.pos))) return single(this.hex(2));
    if (c === "u") {
      if (this.src[this.pos] === "{") {
        const end = this.src.indexOf("}", this.pos);
        const code = Number.parseInt(this.src.slice(this.pos + 1, end), 16);
        this.pos = end + 1;
        return single(code);
      }
      if (/^[0-9a-f]{4}/i.test(this.src.slice(this.pos))) return single(this.hex(4));
    }
    this.pos--;
    return single(this.literal());
  }

  private charClass(): CharSet {
    const negated = this.src[this.pos] === "^";
    if (negated) this.pos++;
    const parts: CharSet[] = [];
    while (this.src[this.pos] !== "]") {
      if (this.done) throw new Error("unterminated class");
      const from = this.classAtom();
      const isRange = this.src[this.pos] === "-" && this.src[this.pos + 1] !== "]" && this.pos + 1 < this.src.length;
      if (isRange && from.length === 1 && from[0]?.[0] === from[0]?.[1]) {
        this.pos++;
        const to = this.classAtom();
        parts.push(charSet([[from[0]?.[0] as number, to.at(-1)?.[1] as number]]));
      } else parts.push(from);
    }
    this.pos++;
    const set = unionOf(...parts);
    return negated ? complementOf(set) : set;
  }

  private classAtom(): CharSet {
    if (this.src[this.pos] === "\\") {
      this.pos++;
      return this.escapedChars(true);
    }
    return single(this.literal());
  }

  private literal(): number {
    const code = this.src.codePointAt(this.pos) as number;
    this.pos += code > 0xffff ? 2 : 1;
    return code;
  }

  private hex(digits: number): number {
    const code = Number.parseInt(this.src.slice(this.pos, this.pos + digits), 16);
    this.pos += digits;
    return code;
  }
}

function single(code: number): CharSet {
  return [[code, code]];
}
