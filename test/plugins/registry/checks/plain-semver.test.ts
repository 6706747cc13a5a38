import fc from "fast-check";
import satisfies from "semver/functions/satisfies.js";
import valid from "semver/functions/valid.js";
import validRange from "semver/ranges/valid.js";
import { describe, expect, it } from "vitest";
import { isValidRange, isValidVersion, satisfiesRange } from "../../../../src/plugins/registry/checks/plain-semver.js";

// Small numbers, so that versions and ranges often meet; also the forms semver alone handles.
const part = fc.oneof(fc.constantFrom("0", "1", "2", "3", "10"), fc.constantFrom("01", "x", "*", "9007199254740992"));
const version = fc.oneof(
  fc.tuple(part, part, part).map((p) => p.join(".")),
  fc.constantFrom("1.0.0-beta.1", "2.0.0-rc.1", "1.2", "v1.2.3", " 1.2.3", "1.2.3+build", ""),
);
const range = fc.oneof(
  fc.tuple(fc.constantFrom("", "^", "~", ">=", "<", "=", "> "), version).map(([op, v]) => op + v),
  fc.constantFrom("^1.0.0 || ^2.0.0", ">=1.0.0 <2", "1.x", "*", "1.0.0 - 2.0.0", "not a range"),
);

describe("plain semver", () => {
  it("agrees with semver on every version and range, plain or not", () => {
    fc.assert(
      fc.property(version, range, fc.boolean(), (v, r, pre) => {
        expect(isValidVersion(v)).toBe(valid(v) !== null);
        expect(isValidRange(r)).toBe(validRange(r) !== null);
        expect(satisfiesRange(v, r, pre)).toBe(satisfies(v, r, { includePrerelease: pre }));
      }),
      { numRuns: 5000 },
    );
  });

  it("handles the caret's zero majors and minors as semver does", () => {
    const cases: Array<[string, string]> = [
      ["0.2.5", "^0.2.3"],
      ["0.3.0", "^0.2.3"],
      ["0.0.3", "^0.0.3"],
      ["0.0.4", "^0.0.3"],
      ["1.9.9", "~1.9.0"],
      ["1.10.0", "~1.9.0"],
      ["2.0.0", "^1.0.0"],
    ];
    for (const [v, r] of cases) expect([v, r, satisfiesRange(v, r)]).toEqual([v, r, satisfies(v, r)]);
  });
});
