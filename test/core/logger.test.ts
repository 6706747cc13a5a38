import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { lazyLogger } from "../../src/core/lazy-logger.js";
import { childLogger, createLogger, resolveLogLevel } from "../../src/core/logger.js";

function sink(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join("")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
  };
}

describe("logger", () => {
  afterEach(() => {
    delete process.env.TRACELET_LOG_LEVEL;
  });

  it("is quiet by default: warnings and errors only", () => {
    const { stream, lines } = sink();
    const log = createLogger({ destination: stream });
    log.info("hidden");
    log.warn("shown");
    expect(lines().map((l) => l.msg)).toEqual(["shown"]);
  });

  it("takes its level from the option, else TRACELET_LOG_LEVEL; an unknown level falls back to warn", () => {
    process.env.TRACELET_LOG_LEVEL = "debug";
    expect(resolveLogLevel()).toBe("debug");
    expect(resolveLogLevel("error")).toBe("error");
    process.env.TRACELET_LOG_LEVEL = "loud";
    expect(resolveLogLevel()).toBe("warn");
  });

  it("gives each plugin a child bound to its name, redacting its secret config paths", () => {
    const { stream, lines } = sink();
    const root = createLogger({ destination: stream, level: "info" });
    const child = childLogger(root, "remote", ["config.auth.apiToken"]);
    child.info({ config: { url: "https://x", auth: { apiToken: "s3cr3t-value" } } }, "connecting");
    const [line] = lines();
    expect(line.plugin).toBe("remote");
    expect(JSON.stringify(line)).not.toContain("s3cr3t-value");
    expect((line.config as { url: string }).url).toBe("https://x");
  });

  it("keeps redacting the default secret keys in a child that has secret paths of its own", () => {
    const { stream, lines } = sink();
    const root = createLogger({ destination: stream, level: "info" });
    const child = childLogger(root, "remote", ["config.auth.apiToken"]);
    child.info(
      { config: { password: "pw-default-key", auth: { apiToken: "own-path" } }, db: { token: "nested" } },
      "x",
    );
    const text = JSON.stringify(lines());
    expect(text).not.toContain("pw-default-key");
    expect(text).not.toContain("own-path");
    expect(text).not.toContain("nested");
  });

  it("redacts common secret keys in every line", () => {
    const { stream, lines } = sink();
    const log = createLogger({ destination: stream, level: "info" });
    log.info({ config: { password: "hunter2" }, db: { token: "tok-123" } }, "x");
    const text = JSON.stringify(lines());
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("tok-123");
  });
});

describe("lazyLogger (pino is created only when first needed)", () => {
  it("answers calls below its level, level checks and child() without creating the real logger", () => {
    const { stream, lines } = sink();
    let created = 0;
    const log = lazyLogger("warn", () => {
      created++;
      return createLogger({ destination: stream, level: "warn" });
    });
    log.info("hidden");
    log.debug({ x: 1 }, "hidden");
    const child = log.child({ plugin: "p" });
    child.info("hidden");
    expect(log.level).toBe("warn");
    expect(log.isLevelEnabled("error")).toBe(true);
    expect(log.isLevelEnabled("info")).toBe(false);
    expect(created).toBe(0);
    child.warn("shown");
    expect(created).toBe(1);
    log.error("also shown");
    expect(created).toBe(1);
    expect(lines().map((l) => [l.plugin, l.msg])).toEqual([
      ["p", "shown"],
      [undefined, "also shown"],
    ]);
  });

  it("creates the real logger for a level change, then follows it", () => {
    const { stream, lines } = sink();
    let created = 0;
    const log = lazyLogger("silent", () => {
      created++;
      return createLogger({ destination: stream, level: "silent" });
    });
    log.fatal("hidden");
    expect(created).toBe(0);
    log.level = "info";
    expect(created).toBe(1);
    log.info("shown");
    expect(log.level).toBe("info");
    expect(lines().map((l) => l.msg)).toEqual(["shown"]);
  });
});
