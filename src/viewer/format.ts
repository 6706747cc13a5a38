/**
 * A metric value for a table: up to 6 significant digits, exponent form for very large or
 * small magnitudes, `NaN` and `±Infinity` spelled out.
 *
 * @param v - the value (`null`/`undefined`: empty)
 * @returns the text
 */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v !== "number") return typeof v === "string" ? v : JSON.stringify(v);
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-4 || a >= 1e9) ? v.toExponential(4) : String(Number(v.toPrecision(6)));
}

/**
 * A duration as `1h02m`, `3m04s`, `5.2s`.
 *
 * @param ms - milliseconds (`undefined`: empty)
 * @returns the text
 */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return "";
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, "0")}m` : `${m}m${String(s % 60).padStart(2, "0")}s`;
}

/**
 * Aligns rows of cells into columns separated by two spaces.
 *
 * @param rows - the rows, the first being the header
 * @returns the lines
 */
export function formatTable(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const r of rows) {
    for (const [i, c] of r.entries()) widths[i] = Math.max(widths[i] ?? 0, c.length);
  }
  return rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd(),
  );
}
