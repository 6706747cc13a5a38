import { afterEach, describe, expect, it } from "vitest";
import { EnvironmentCollector, pickEnv } from "../../src/collectors/environment/environment-collector.js";
import { looksSecret, REDACTED, redactArgv } from "../../src/collectors/environment/secret-names.js";
import { testContext } from "./helpers/context.js";

const savedEnv = { ...process.env };
const savedArgv = [...process.argv];
afterEach(() => {
  process.env = { ...savedEnv };
  process.argv = [...savedArgv];
});

describe("the environment collector", () => {
  it("logs Node version, OS, CPU model, argv and allowlisted variables", () => {
    process.env.CUDA_VISIBLE_DEVICES = "0,1";
    process.env.NOT_LISTED = "x";
    const c = new EnvironmentCollector();
    c.initialize({}, testContext("environment"));
    expect(c.collect()).toEqual({});
    const { environment: e } = c.params() as { environment: Record<string, unknown> };
    expect(e.node_version).toBe(process.version);
    expect(e.os_platform).toBe(process.platform);
    expect(typeof e.cpu_model).toBe("string");
    expect(e.argv).toEqual(process.argv);
    expect(e.env).toMatchObject({ CUDA_VISIBLE_DEVICES: "0,1" });
    expect(e.env).not.toHaveProperty("NOT_LISTED");
  });

  it("never collects a secret-looking variable, even when allowlisted", () => {
    process.env.MY_API_KEY = "k";
    process.env.GITHUB_TOKEN = "t";
    process.env.DB_PASSWORD = "p";
    process.env.AWS_SECRET_ACCESS_KEY = "s";
    process.env.MY_SETTING = "fine";
    const c = new EnvironmentCollector();
    c.initialize(
      { envAllowlist: ["MY_*", "GITHUB_TOKEN", "DB_PASSWORD", "AWS_SECRET_ACCESS_KEY"] },
      testContext("environment"),
    );
    const { environment: e } = c.params() as { environment: { env: Record<string, string> } };
    expect(e.env).toEqual({ MY_SETTING: "fine" });
  });

  it("redacts the values of secret-looking flags in argv", () => {
    process.argv = ["node", "train.js", "--lr=0.1", "--api-key=abc", "--token", "xyz", "--password=", "-v"];
    const c = new EnvironmentCollector();
    c.initialize({}, testContext("environment"));
    const { environment: e } = c.params() as { environment: { argv: string[] } };
    expect(e.argv).toEqual([
      "node",
      "train.js",
      "--lr=0.1",
      `--api-key=${REDACTED}`,
      "--token",
      REDACTED,
      `--password=${REDACTED}`,
      "-v",
    ]);
    const off = new EnvironmentCollector();
    off.initialize({ argv: false }, testContext("environment"));
    expect((off.params() as { environment: object }).environment).not.toHaveProperty("argv");
  });

  it("hides URL credentials in allowlisted values and in argv, keeping the rest of the URL", () => {
    const env = { DATABASE_HOST: "postgres://admin:hunter2@db.internal:5432/app", PLAIN: "https://example.org/x" };
    const picked = pickEnv(env, ["DATABASE_HOST", "PLAIN"]);
    expect(picked.DATABASE_HOST).toBe(`postgres://${REDACTED}@db.internal:5432/app`);
    expect(picked.PLAIN).toBe("https://example.org/x");
    const argv = redactArgv(["node", "train.js", "--db=mysql://u:p4ss@h/db", "redis://:tok3n@cache:6379"]);
    expect(argv.join(" ")).not.toMatch(/hunter2|p4ss|tok3n/);
    expect(argv[2]).toBe(`--db=mysql://${REDACTED}@h/db`);
  });

  it("recognizes secret names and allowlist prefixes", () => {
    for (const name of ["OPENAI_API_KEY", "HF_TOKEN", "client_secret", "PGPASSWORD", "NPM_AUTH", "SSH_PRIVATE"])
      expect(looksSecret(name), name).toBe(true);
    for (const name of ["PWD", "CUDA_VISIBLE_DEVICES", "NODE_ENV", "HOSTNAME"])
      expect(looksSecret(name), name).toBe(false);
    expect(pickEnv({ SLURM_JOB_ID: "1", SLURM_X: "2", OTHER: "3" }, ["SLURM_*"])).toEqual({
      SLURM_JOB_ID: "1",
      SLURM_X: "2",
    });
    expect(redactArgv(["a", "--secret", "--next"])).toEqual(["a", "--secret", "--next"]);
  });
});
