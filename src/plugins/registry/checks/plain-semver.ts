import { createRequire } from "node:module";

type Valid = typeof import("semver/functions/valid.js");
type ValidRange = typeof import("semver/ranges/valid.js");
type Satisfies = typeof import("semver/functions/satisfies.js");

// `MAJOR.MINOR.PATCH`, no prerelease, build, `v` or spaces: what nearly every manifest holds.
const VERSION = /^(0|[1-9]\d{0,15})\.(0|[1-9]\d{0,15})\.(0|[1-9]\d{0,15})$/;
// One such version, alone or after `^`, `~` or `>=`.
const RANGE = /^(\^|~|>=)?((?:0|[1-9]\d{0,15})\.(?:0|[1-9]\d{0,15})\.(?:0|[1-9]\d{0,15}))$/;

type Triple = [number, number, number];

function plainVersion(version: string): Triple | undefined {
  const m = VERSION.exec(version);
  if (!m) return undefined;
  const out: Triple = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Past this, semver refuses the version: let it say so.
  return out.every((n) => n <= Number.MAX_SAFE_INTEGER) ? out : undefined;
}

function plainRange(range: string): { op: string; at: Triple } | undefined {
  const m = RANGE.exec(range);
  const at = m ? plainVersion(m[2]!) : undefined;
  return m && at ? { op: m[1] ?? "", at } : undefined;
}

const compare = (a: Triple, b: Triple) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

// semver itself (22 CommonJS files, and regular expressions compiled on first use), loaded only
// for a version or range outside the plain forms above.
const load = createRequire(import.meta.url);
let full: { valid: Valid; validRange: ValidRange; satisfies: Satisfies } | undefined;
function semver() {
  full ??= {
    valid: load("semver/functions/valid.js") as Valid,
    validRange: load("semver/ranges/valid.js") as ValidRange,
    satisfies: load("semver/functions/satisfies.js") as Satisfies,
  };
  return full;
}

/**
 * Whether a string is a valid semver version (as `semver.valid`), without loading semver for a
 * plain `MAJOR.MINOR.PATCH`.
 *
 * @param version - the text
 * @returns true when valid
 * @example
 * ```ts
 * isValidVersion("1.2.3"); // true
 * ```
 */
export function isValidVersion(version: string): boolean {
  return plainVersion(version) !== undefined || semver().valid(version) !== null;
}

/**
 * Whether a string is a valid semver range (as `semver.validRange`), without loading semver for
 * `X.Y.Z`, `^X.Y.Z`, `~X.Y.Z` or `>=X.Y.Z`.
 *
 * @param range - the text
 * @returns true when valid
 * @example
 * ```ts
 * isValidRange("^1.0.0"); // true
 * ```
 */
export function isValidRange(range: string): boolean {
  return plainRange(range) !== undefined || semver().validRange(range) !== null;
}

/**
 * Whether a version lies in a range (as `semver.satisfies`), without loading semver when both
 * are plain (a plain version is no prerelease, so `includePrerelease` changes nothing then).
 *
 * @param version - the version
 * @param range - the range
 * @param includePrerelease - semver's option of that name
 * @returns true when the version satisfies the range
 * @example
 * ```ts
 * satisfiesRange("1.4.0", "^1.0.0"); // true
 * ```
 */
export function satisfiesRange(version: string, range: string, includePrerelease = false): boolean {
  const v = plainVersion(version);
  const r = plainRange(range);
  if (!v || !r) return semver().satisfies(version, range, { includePrerelease });
  const [x, y] = r.at;
  const atLeast = compare(v, r.at) >= 0;
  switch (r.op) {
    case ">=":
      return atLeast;
    case "~":
      return atLeast && v[0] === x && v[1] === y;
    case "^":
      // ^1.2.3 := <2.0.0-0, ^0.2.3 := <0.3.0-0, ^0.0.3 := <0.0.4-0
      if (x > 0) return atLeast && v[0] === x;
      if (y > 0) return atLeast && v[0] === 0 && v[1] === y;
      return compare(v, r.at) === 0;
    default:
      return compare(v, r.at) === 0;
  }
}
