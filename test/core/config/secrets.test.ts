import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { Writable } from "node:stream";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { BackendPlugin, createLogger, PluginManager } from "../../../src/index.js";
import { withTestExperiment } from "../../../src/testing/index.js";
import { tempDir } from "../../helpers/temp-dir.js";

const TOKEN = "tok_SUPERSECRET_4711";
const PASSWORD = "pw_HIDDEN_0815";

const schema = {
  type: "object",
  properties: {
    url: { type: "string" },
    token: { type: "string", writeOnly: true, minLength: 8 },
    auth: { type: "object", properties: { password: { type: "string", format: "password" } } },
  },
  required: ["url"],
  additionalProperties: false,
};

type VaultConfig = { url: string; token?: string; auth?: { password?: string } };

/** A careless plugin: it logs its config, echoes secrets in errors and in its status. */
class Vault extends BackendPlugin<VaultConfig> {
  static metadata = { name: "vault", type: "backend" as const, configSchema: schema };
  override initialize(config: Readonly<VaultConfig>, context: Parameters<BackendPlugin["initialize"]>[1]) {
    super.initialize(config, context);
    this.logger.info({ config }, "initialized");
    this.logger.info({ token: config.token, password: config.auth?.password }, "credentials");
  }
  logMetric() {}
  override logParams(): void {
    throw new Error(`auth failed for token ${this.config.token} / ${this.config.auth?.password}`);
  }
  override flush(): Promise<void> {
    return Promise.reject(new Error(`flush refused: ${this.config.token}`));
  }
  override getStatus() {
    return { url: this.config.url, token: this.config.token, nested: { note: `using ${this.config.auth?.password}` } };
  }
}

function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join("") };
}

function expectNoSecret(where: string, text: string): void {
  expect(text.length, where).toBeGreaterThan(0);
  expect(text, where).not.toContain(TOKEN);
  expect(text, where).not.toContain(PASSWORD);
}

describe("secret config values", () => {
  it("appear in no log line, error, failure report, status or management output", async () => {
    const logs = capture();
    const logger = createLogger({ level: "trace", destination: logs.stream });
    const manager = new PluginManager({ logger });
    const exp = await withTestExperiment(
      {
        cwd: await tempDir(),
        manager,
        logger,
        backends: ["memory", "vault"],
        plugins: { vault: { url: "https://vault.test", token: TOKEN, auth: { password: PASSWORD } } },
      },
      [Vault],
    );
    exp.logParams({ lr: 1 });
    await exp.flush();
    const status = JSON.stringify(exp.status());
    const report = await exp.stop();
    const failures = report.failures.filter((f) => f.plugin === "vault");
    expect([...new Set(failures.map((f) => f.hook))].sort()).toEqual(["flush", "logParams"]);

    expectNoSecret("logs", logs.text());
    expect(logs.text()).toContain("[redacted]");
    expectNoSecret("stop report", JSON.stringify(report));
    expectNoSecret("status", status);
    expectNoSecret("status after stop", JSON.stringify(exp.status()));
    expectNoSecret("getPluginConfig", JSON.stringify(manager.getPluginConfig("vault")));
    expect(manager.getPluginConfig("vault")).toEqual({
      url: "https://vault.test",
      token: "[redacted]",
      auth: { password: "[redacted]" },
    });
    expectNoSecret("getPluginStatus", JSON.stringify(manager.getPluginStatus()));
  });

  it("appear in no config error", async () => {
    let error: unknown;
    try {
      await withTestExperiment(
        {
          cwd: await tempDir(),
          backends: ["vault"],
          plugins: { vault: { url: 42, token: TOKEN, auth: { password: PASSWORD, extra: PASSWORD } } },
        },
        [Vault],
      );
    } catch (e) {
      error = e;
    }
    expect((error as { code: string }).code).toBe("TRACELET_ERR_CONFIG_INVALID");
    expectNoSecret("config error", `${(error as Error).message} ${(error as Error).stack} ${JSON.stringify(error)}`);
  });

  it("appear in no CLI output", async () => {
    const cwd = await tempDir();
    await writeFile(
      join(cwd, "package.json"),
      JSON.stringify({
        name: "host",
        version: "1.0.0",
        tracelet: { backends: ["vault"], plugins: { vault: { url: "x", token: TOKEN, auth: { password: PASSWORD } } } },
      }),
    );
    const cli = resolve("dist/cli/main.js");
    const run = promisify(execFile);
    for (const args of [["plugins", "--json"], ["plugins"]]) {
      const { stdout, stderr } = await run(process.execPath, [cli, ...args, "--cwd", cwd], { cwd });
      expectNoSecret(`tracelet ${args.join(" ")}`, stdout + stderr);
    }
  });
});
