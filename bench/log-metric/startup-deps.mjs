// Start-up baseline: eagerly import the six runtime dependencies.
await Promise.all([
  import("read-pkg-up"),
  import("semver"),
  import("ajv"),
  import("tapable"),
  import("pino"),
  import("systeminformation"),
]);
