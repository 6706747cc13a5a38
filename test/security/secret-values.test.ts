import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { BackendPlugin, PluginManager, startExperiment } from "../../src/index.js";
import { tempDir } from "../helpers/temp-dir.js";

// Characters that URL-encoding and JSON escaping change, so each encoded form differs.
const TOKEN = 'tok/9+Zq "x"&=ab';
const PASS = "pw-Secret-0815";

const FORMS = [
  TOKEN,
  encodeURIComponent(TOKEN),
  JSON.stringify(TOKEN).slice(1, -1),
  Buffer.from(TOKEN).toString("base64").slice(0, 20),
  PASS,
  encodeURIComponent(PASS),
  Buffer.from(PASS).toString("base64").slice(0, 16),
  // What a Basic auth header carries: the password inside a longer base64 text.
  Buffer.from(`admin:${PASS}`).toString("base64").slice(8, 24),
];

/** A careless plugin that echoes its secrets under other keys, in arrays, in errors and encoded. */
class Leaky extends BackendPlugin<{ token: string; accounts: Array<{ pass: string }> }> {
  static metadata = {
    name: "leaky",
    type: "backend" as const,
    configSchema: {
      type: "object",
      properties: {
        token: { type: "string", writeOnly: true },
        accounts: { type: "array", items: { type: "object", properties: { pass: { format: "password" } } } },
      },
    },
  };
  override async start(): Promise<void> {
    const { token } = this.config;
    const pass = this.config.accounts[0]!.pass;
    const log = this.logger;
    log.info({ headers: { authorization: `Bearer ${token}` } }, "connecting");
    log.warn({ list: [token, { deep: [pass] }] }, "values in arrays");
    log.error(new Error(`auth failed for ${token}`));
    log.error({ err: new Error("outer", { cause: new Error(`inner ${pass}`) }) }, "with a cause");
    log.info(`GET https://api.example/?t=${encodeURIComponent(token)}&p=${encodeURIComponent(pass)}`);
    log.info(`Authorization: Basic ${Buffer.from(`admin:${pass}`).toString("base64")}`);
    log.info(`raw ${Buffer.from(token).toString("base64")}`);
    log.info("printf %s and %j", token, { pass });
    log.child({ session: token }).info("child bindings");
    log.info({ [token]: "as a key" }, "secret as a key");
  }
  logMetric(): void {}
  override async stop(): Promise<void> {
    throw new Error(
      `stop failed: ${encodeURIComponent(this.config.token)} / ${Buffer.from(this.config.token).toString("base64")}`,
    );
  }
}

describe("B11: secret values redacted wherever they appear, in every encoding", () => {
  it("a plugin's log lines and the stop report never show a secret, under any key or encoding", async () => {
    const cwd = await tempDir();
    const chunks: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        chunks.push(String(chunk));
        done();
      },
    });
    const manager = new PluginManager({ cwd });
    manager.registerPlugin(Leaky);
    const exp = await startExperiment({
      cwd,
      manager,
      backends: ["leaky"],
      logger: pino({ level: "trace" }, sink),
      plugins: { leaky: { token: TOKEN, accounts: [{ pass: PASS }] } },
    });
    const report = await exp.stop();
    const text = chunks.join("");
    expect(text).toContain("connecting");
    expect(text).toContain("child bindings");
    expect(text).toContain("[redacted]");
    for (const form of FORMS) expect(text, form).not.toContain(form);
    // Lines are JSON: the escaped form of the token is what a raw search would miss.
    for (const line of chunks.join("").trim().split("\n")) JSON.parse(line);
    const failures = JSON.stringify(report.failures);
    expect(failures).toContain("stop failed");
    for (const form of FORMS) expect(failures, form).not.toContain(form);
  });
});
