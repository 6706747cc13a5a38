import type { MetricRecord, RunIdentity } from "../../src/index.js";

/** Whether the mocked `removeSegment` throws, as if the process died before deleting the segment. */
export interface Dying {
  armed: boolean;
}

/**
 * A `spool-files.js` module whose `removeSegment` throws while `dying.armed`: where a replaying
 * process dies after the backend took a segment's last batch, with the segment file still there.
 */
export async function withDyingRemove<T extends { removeSegment: (path: string) => Promise<unknown> }>(
  original: () => Promise<T>,
  dying: Dying,
): Promise<T> {
  const actual = await original();
  return {
    ...actual,
    removeSegment: async (path: string) => {
      if (dying.armed) throw new Error("killed before the segment was deleted");
      return actual.removeSegment(path);
    },
  };
}

/** A run identity for spools made in tests. */
export const spoolRun = { runId: "r", project: "p", runDir: "/x" } as RunIdentity;

/** `n` points of one metric, step and value `i`, timestamp `1000 + i`. */
export const spoolPoints = (n: number): MetricRecord[] =>
  Array.from({ length: n }, (_, i) => ({ name: "m", value: i, step: i, timestamp: 1000 + i }));
