import { type MetricLine, RecordEncoder } from "../../core/data/record-codec.js";
import type { MetricRecord } from "../../core/types.js";

export { decodeValue, encodeValue, type MetricLine } from "../../core/data/record-codec.js";

const shared = new RecordEncoder();

/**
 * Encodes points as JSON Lines text (one {@link MetricLine} each, `\n`-terminated).
 *
 * @param batch - the points
 * @returns the text
 */
export function encodeBatch(batch: readonly MetricRecord[]): string {
  return shared.encode(batch);
}
