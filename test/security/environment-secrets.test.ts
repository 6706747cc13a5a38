import { afterEach, describe, expect, it } from "vitest";
import { EnvironmentCollector } from "../../src/collectors/environment/environment-collector.js";
import { testContext } from "../collectors/helpers/context.js";

const savedEnv = { ...process.env };
const savedArgv = [...process.argv];
afterEach(() => {
  process.env = { ...savedEnv };
  process.argv = [...savedArgv];
});

function collected(config: Record<string, unknown> = {}): { argv: string[]; env: Record<string, string> } {
  const c = new EnvironmentCollector();
  c.initialize(config, testContext("environment"));
  return (c.params() as { environment: { argv: string[]; env: Record<string, string> } }).environment;
}

describe("B11: the environment collector and secret names", () => {
  it("drops the values of --pass, --bearer, --jwt, -p and --sig from argv", () => {
    const secrets = ["pass-value-1", "bearer-value-2", "jwt-value-3", "p-value-4", "sig-value-5", "gh-pat-6"];
    process.argv = [
      "node",
      "train.js",
      "--pass",
      secrets[0]!,
      `--bearer=${secrets[1]}`,
      "--jwt",
      secrets[2]!,
      "-p",
      secrets[3]!,
      `--sig=${secrets[4]}`,
      "--gh-pat",
      secrets[5]!,
      "--lr=0.1",
      "--epochs",
      "3",
    ];
    const { argv } = collected();
    const text = JSON.stringify(argv);
    for (const s of secrets) expect(text).not.toContain(s);
    expect(argv.slice(-3)).toEqual(["--lr=0.1", "--epochs", "3"]);
  });

  it('with an allowlist of ["*"], never collects PGPASS, DOCKER_PASS, GH_PAT or BEARER', () => {
    process.env = {
      PGPASS: "a1",
      DOCKER_PASS: "b2",
      GH_PAT: "c3",
      BEARER: "d4",
      JWT: "e5",
      MY_SIG: "f6",
      PATH: "/bin",
      SIGNAL_DIR: "/s",
    };
    const { env } = collected({ envAllowlist: ["*"] });
    expect(env).toEqual({ PATH: "/bin", SIGNAL_DIR: "/s" });
  });
});
