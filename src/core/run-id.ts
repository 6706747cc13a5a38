/**
 * A run id that sorts by start time: `YYYYMMDD-HHMMSS-mmm-xxxxxx` in UTC, then 6 random
 * base-36 characters so that runs started in the same millisecond stay distinct.
 *
 * @param now - the start time (default now)
 * @returns the id, e.g. `20261122-044512-123-k3v9qa`
 */
export function createRunId(now: Date = new Date()): string {
  const iso = now.toISOString(); // 2026-11-22T04:45:12.123Z
  const date = iso.slice(0, 10).replaceAll("-", "");
  const time = iso.slice(11, 19).replaceAll(":", "");
  const ms = iso.slice(20, 23);
  // Math.random, not node:crypto (~6 ms to load): the suffix only separates runs, it guards nothing.
  let random = "";
  for (let i = 0; i < 6; i++) random += Math.floor(Math.random() * 36).toString(36);
  return `${date}-${time}-${ms}-${random}`;
}
