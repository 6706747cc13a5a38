/**
 * A set of code points as sorted, disjoint, non-adjacent inclusive ranges: what one regex
 * atom can match, for the pattern-safety check.
 */
export type CharSet = ReadonlyArray<readonly [number, number]>;

/** The largest code point. */
export const MAX_CODE_POINT = 0x10ffff;

/** No character. */
export const NO_CHARS: CharSet = [];

/** Every character. */
export const ANY_CHAR: CharSet = [[0, MAX_CODE_POINT]];

/** `\d`. */
export const DIGIT: CharSet = [[0x30, 0x39]];

/** `\w`. */
export const WORD: CharSet = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
];

/** `\s`: ECMAScript white space and line terminators. */
export const SPACE: CharSet = charSet([
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
]);

/**
 * Normalizes ranges into a {@link CharSet}: sorted, overlapping and adjacent ranges merged.
 *
 * @param ranges - inclusive ranges, in any order
 * @returns the set
 */
export function charSet(ranges: Iterable<readonly [number, number]>): CharSet {
  const sorted = [...ranges].filter(([lo, hi]) => lo <= hi).sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [lo, hi] of sorted) {
    const prev = out.at(-1);
    if (prev && lo <= prev[1] + 1) prev[1] = Math.max(prev[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

/**
 * The union of sets.
 *
 * @param sets - the sets
 * @returns every character in any of them
 */
export function unionOf(...sets: CharSet[]): CharSet {
  return charSet(sets.flat());
}

/**
 * The complement of a set (a negated class, `\D`, `\W`, `\S`).
 *
 * @param set - the set
 * @returns every character not in it
 */
export function complementOf(set: CharSet): CharSet {
  const out: Array<[number, number]> = [];
  let next = 0;
  for (const [lo, hi] of set) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CODE_POINT) out.push([next, MAX_CODE_POINT]);
  return out;
}

/**
 * Whether two sets share a character.
 *
 * @param a - one set
 * @param b - the other
 * @returns true when some character is in both
 */
export function overlaps(a: CharSet, b: CharSet): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const [alo, ahi] = a[i] as readonly [number, number];
    const [blo, bhi] = b[j] as readonly [number, number];
    if (ahi < blo) i++;
    else if (bhi < alo) j++;
    else return true;
  }
  return false;
}
