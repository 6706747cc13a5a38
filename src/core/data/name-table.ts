import { metricNameProblem } from "./validate-metric.js";

/**
 * The run's metric names, interned: each valid name gets a small integer id on first sight,
 * with its per-metric step counter in a typed array. A name found in the table is known valid,
 * so the hot path validates a name once per run, not once per call.
 */
export class NameTable {
  /** Ids by name. */
  readonly ids = new Map<string, number>();
  /** Names by id. */
  readonly names: string[] = [];
  /** The next automatic step of each metric, by id (last step + 1, from 0). */
  next = new Float64Array(64);

  /** Number of distinct names. */
  get size(): number {
    return this.names.length;
  }

  /**
   * Interns a name not seen before.
   *
   * @param name - the candidate name
   * @returns its id, or the reason it is unusable
   */
  intern(name: unknown): number | string {
    const known = typeof name === "string" ? this.ids.get(name) : undefined;
    if (known !== undefined) return known;
    const problem = metricNameProblem(name);
    if (problem !== undefined) return problem;
    const id = this.names.length;
    if (id === this.next.length) {
      const grown = new Float64Array(id * 2);
      grown.set(this.next);
      this.next = grown;
    }
    this.names.push(name as string);
    this.ids.set(name as string, id);
    return id;
  }
}
