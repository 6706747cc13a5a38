/**
 * Debiased exponential moving average (as TensorBoard's smoothing): `s = w·s + (1−w)·v`
 * divided by `1 − wⁿ`, so the first points are not pulled toward zero. Non-finite values are
 * passed through (as `null`) and leave the average as it is.
 *
 * @param values - the values in x order (`null` for a gap)
 * @param weight - the smoothing weight in [0, 1); 0 returns the values
 * @returns the smoothed values
 */
export function debiasedEma(values: (number | null)[], weight: number): (number | null)[] {
  if (!(weight > 0)) return values.slice();
  const w = Math.min(weight, 0.999);
  let last = 0;
  let n = 0;
  const out: (number | null)[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || !Number.isFinite(v)) {
      out[i] = null;
      continue;
    }
    last = last * w + (1 - w) * v;
    n++;
    out[i] = last / (1 - w ** n);
  }
  return out;
}
