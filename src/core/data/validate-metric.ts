import { TraceletError } from "../errors.js";

/** The longest metric name accepted, in UTF-16 code units. */
export const MAX_METRIC_NAME_LENGTH = 250;

// Control characters (C0, DEL, C1) would break line-based formats and terminals.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Why a metric name is unusable, or `undefined` when it is fine.
 *
 * @param name - the candidate name
 * @returns a reason, or undefined
 */
export function metricNameProblem(name: unknown): string | undefined {
  if (typeof name !== "string") return `the name must be a string, not ${typeof name}`;
  if (name.length === 0) return "the name is empty";
  if (name.length > MAX_METRIC_NAME_LENGTH)
    return `the name is ${name.length} characters long (at most ${MAX_METRIC_NAME_LENGTH})`;
  if (CONTROL.test(name)) return "the name contains a control character";
  return undefined;
}

/**
 * Builds the error for an unusable metric.
 *
 * @param name - what was passed as name
 * @param reason - why it is unusable
 * @returns a `TRACELET_ERR_INVALID_METRIC` error
 */
export function invalidMetric(name: unknown, reason: string): TraceletError {
  const shown =
    typeof name === "string" ? JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name) : String(name);
  return new TraceletError("TRACELET_ERR_INVALID_METRIC", `Metric ${shown} was not logged: ${reason}.`, {
    details: { reason },
  });
}
