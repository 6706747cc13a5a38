import { spawnSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { MetricChunk } from "../../../src/core/data/metric-chunk.js";
import { Spool } from "../../../src/core/data/spool.js";
import { createLogger } from "../../../src/core/logger.js";
import { BackendPlugin, PluginManager, type RunIdentity } from "../../../src/index.js";
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

const API_KEY = "ak_DEEPSECRET_9931";
const DEF_PASSWORD = "pw_BEHINDREF_2718";

// Secrets the old walk (only `properties`) missed: under allOf, behind a $ref into $defs, and
// under a key pino cannot take in dot notation.
const deepSchema = {
  type: "object",
  $defs: { creds: { type: "object", properties: { password: { type: "string", format: "password" } } } },
  allOf: [{ properties: { "api-key": { type: "string", writeOnly: true } } }],
  properties: { url: { type: "string" }, auth: { $ref: "#/$defs/creds" } },
  required: ["url"],
};

type DeepConfig = { url: string; "api-key"?: string; auth?: { password?: string } };

/** Careless like {@link Vault}, with the deeper schema. */
class DeepVault extends BackendPlugin<DeepConfig> {
  static metadata = { name: "deep-vault", type: "backend" as const, configSchema: deepSchema };
  override initialize(config: Readonly<DeepConfig>, context: Parameters<BackendPlugin["initialize"]>[1]) {
    super.initialize(config, context);
    this.logger.info({ config }, "initialized");
    this.logger.info({ "api-key": config["api-key"], auth: config.auth }, "credentials");
  }
  logMetric() {}
  override logParams(): void {
    throw new Error(`auth failed for ${this.config["api-key"]} / ${this.config.auth?.password}`);
  }
  override getStatus() {
    return { key: this.config["api-key"], pw: this.config.auth?.password };
  }
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

  it("under allOf, a $ref or a non-identifier key appear in no log line, error, report, status or config", async () => {
    const logs = capture();
    const logger = createLogger({ level: "trace", destination: logs.stream });
    const manager = new PluginManager({ logger });
    const exp = await withTestExperiment(
      {
        cwd: await tempDir(),
        manager,
        logger,
        backends: ["memory", "deep-vault"],
        plugins: { "deep-vault": { url: "https://v.test", "api-key": API_KEY, auth: { password: DEF_PASSWORD } } },
      },
      [DeepVault],
    );
    exp.logParams({ lr: 1 });
    await exp.flush();
    const status = JSON.stringify(exp.status());
    const config = manager.getPluginConfig("deep-vault");
    const report = await exp.stop();
    expect(report.failures.some((f) => f.plugin === "deep-vault" && f.hook === "logParams")).toBe(true);
    for (const [where, text] of [
      ["logs", logs.text()],
      ["stop report", JSON.stringify(report)],
      ["status", status],
      ["getPluginConfig", JSON.stringify(config)],
      ["getPluginStatus", JSON.stringify(manager.getPluginStatus())],
    ] as const) {
      expect(text.length, where).toBeGreaterThan(0);
      expect(text, where).not.toContain(API_KEY);
      expect(text, where).not.toContain(DEF_PASSWORD);
    }
    expect(config).toEqual({ url: "https://v.test", "api-key": "[redacted]", auth: { password: "[redacted]" } });
  });

  it("under a key like api-key are redacted by pino in the plugin's log lines", async () => {
    const logs = capture();
    const logger = createLogger({ level: "trace", destination: logs.stream });
    class Dashed extends BackendPlugin<{ "api-key"?: string }> {
      static metadata = {
        name: "dashed",
        type: "backend" as const,
        configSchema: { type: "object", properties: { "api-key": { type: "string", writeOnly: true } } },
      };
      override initialize(
        config: Readonly<{ "api-key"?: string }>,
        context: Parameters<BackendPlugin["initialize"]>[1],
      ) {
        super.initialize(config, context);
        this.logger.info({ config }, "initialized");
        this.logger.info({ "api-key": config["api-key"], nested: { "api-key": config["api-key"] } }, "key");
      }
      logMetric() {}
    }
    const exp = await withTestExperiment(
      { cwd: await tempDir(), logger, backends: ["dashed"], plugins: { dashed: { "api-key": API_KEY } } },
      [Dashed],
    );
    await exp.stop();
    expect(logs.text()).toContain('"key"');
    expect(logs.text()).not.toContain(API_KEY);
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

  it("appear in no `tracelet sync` output when the backend echoes them in an error", async () => {
    const project = await tempDir();
    const pkg = join(project, "node_modules", "tracelet-plugin-echo");
    await mkdir(pkg, { recursive: true });
    await writeFile(join(project, "package.json"), JSON.stringify({ name: "host", version: "1.0.0", private: true }));
    await writeFile(
      join(pkg, "package.json"),
      JSON.stringify({
        name: "tracelet-plugin-echo",
        version: "1.0.0",
        type: "module",
        tracelet: {
          engine: "^1.0.0",
          plugins: [{ name: "echo", type: "backend", entry: "./index.js", export: "Echo", configSchema: deepSchema }],
        },
      }),
    );
    await writeFile(
      join(pkg, "index.js"),
      [
        "export class Echo {",
        "  initialize(config, context) { this.c = config; context.logger.warn({ config }, 'echo config'); }",
        "  logMetric() {}",
        "  logMetrics() { throw new Error('denied: ' + this.c['api-key'] + ' ' + this.c.auth?.password); }",
        "}",
      ].join("\n"),
    );
    const runDir = await tempDir();
    const run: RunIdentity = {
      project: "p",
      name: "r",
      runId: "r",
      role: "main",
      workerId: 0,
      workerCount: 1,
      tags: {},
      runDir,
    };
    const spool = new Spool(join(runDir, "spool", "echo"), { plugin: "echo", config: { url: "https://e.test" }, run });
    spool.seal(spool.append(undefined, MetricChunk.fromRecords([{ name: "m", value: 1, step: 1, timestamp: 1 }], 1)));
    const config = JSON.stringify({ "api-key": API_KEY, auth: { password: DEF_PASSWORD } });
    const out = spawnSync(process.execPath, [resolve("dist/cli/main.js"), "sync", runDir, "--config", config], {
      cwd: project,
      encoding: "utf8",
    });
    expect(out.status, out.stderr).toBe(1);
    expect(out.stderr).toContain("denied: [redacted] [redacted]");
    expect(out.stderr).toContain("echo config");
    expect(out.stdout + out.stderr).not.toContain(API_KEY);
    expect(out.stdout + out.stderr).not.toContain(DEF_PASSWORD);
  });
});
