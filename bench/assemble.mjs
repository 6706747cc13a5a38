// Builds docs/benchmarks.md: for each bench (a folder with a run.mjs), the section its last run
// wrote (bench/results/<name>.md), then the hand-written notes on it (bench/notes/<name>.md:
// analyses, profiles, extra runs measured by hand), so regenerating never loses them. Results of
// partial runs (bench/results/<name>-<subset>.md) are kept for the notes to cite, not assembled.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The bench names, in the order their sections appear.
 *
 * @param {string} benchDir - the bench folder
 * @returns {string[]}
 */
export function benchNames(benchDir) {
  return readdirSync(benchDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(benchDir, d.name, "run.mjs")))
    .map((d) => d.name)
    .sort();
}

/**
 * The body of docs/benchmarks.md (everything after its header).
 *
 * @param {string} benchDir - the bench folder
 * @returns {string}
 */
export function assembleSections(benchDir) {
  const read = (path) => (existsSync(path) ? readFileSync(path, "utf8").trim() : "");
  return benchNames(benchDir)
    .map((name) =>
      [read(join(benchDir, "results", `${name}.md`)), read(join(benchDir, "notes", `${name}.md`))]
        .filter(Boolean)
        .join("\n\n"),
    )
    .filter(Boolean)
    .join("\n\n");
}

/** The line that ends the header of docs/benchmarks.md; the assembled sections follow it. */
export const HEADER_END = /^Last full regeneration: .*$/m;
