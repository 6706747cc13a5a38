// Optimal string alignment distance (Levenshtein plus adjacent transpositions), case-insensitive
// for letters: `CSVBackend` is one step from `CsvBackend`'s spelling mistakes, not six.
function distance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const rows: number[][] = Array.from({ length: s.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= t.length; j++) (rows[0] as number[])[j] = j;
  for (let i = 1; i <= s.length; i++) {
    const row = rows[i] as number[];
    const up = rows[i - 1] as number[];
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let d = Math.min((up[j] as number) + 1, (row[j - 1] as number) + 1, (up[j - 1] as number) + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1])
        d = Math.min(d, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      row[j] = d;
    }
  }
  return (rows[s.length] as number[])[t.length] as number;
}

/**
 * The candidate nearest to a misspelt name, if one is near enough to be what was meant: at most
 * a third of the name's length in edits (at least 1, at most 3), or the same letters in another case.
 *
 * @param input - what the user wrote
 * @param candidates - the valid names
 * @returns the nearest candidate, or undefined
 */
export function closestName(input: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(1, Math.min(3, Math.floor(input.length / 3)));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    if (candidate === input) continue;
    const d = distance(input, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= limit ? best : undefined;
}

/**
 * The " Did you mean "x"?" sentence for a misspelt name, or "" when nothing is near.
 *
 * @param input - what the user wrote
 * @param candidates - the valid names
 * @returns the sentence, with a leading space, or ""
 */
export function didYouMean(input: string, candidates: Iterable<string>): string {
  const near = closestName(input, candidates);
  return near === undefined ? "" : ` Did you mean "${near}"?`;
}
