import { execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GitCollector } from "../../src/collectors/git/git-collector.js";
import { stripCredentials } from "../../src/collectors/git/strip-credentials.js";
import { tempDir } from "../helpers/temp-dir.js";
import { testContext } from "./helpers/context.js";

const savedPath = process.env.PATH;
afterEach(() => {
  process.env.PATH = savedPath;
});

function gitIn(dir: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd: dir,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@t",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@t",
    },
  }).trim();
}

async function repo(): Promise<{ dir: string; commit: string }> {
  const dir = await tempDir();
  gitIn(dir, "init", "-q", "-b", "main");
  await writeFile(join(dir, "a.txt"), "one\n");
  gitIn(dir, "add", "a.txt");
  gitIn(dir, "commit", "-q", "-m", "first");
  gitIn(dir, "remote", "add", "origin", "https://alice:ghp_secret123@github.com/acme/models.git");
  return { dir, commit: gitIn(dir, "rev-parse", "HEAD") };
}

async function paramsIn(cwd: string): Promise<Record<string, unknown>> {
  const c = new GitCollector();
  c.initialize({ cwd }, testContext("git"));
  expect(c.collect()).toEqual({});
  return c.params();
}

describe("the git collector", () => {
  it("logs commit, branch, clean state and the remote without credentials", async () => {
    const { dir, commit } = await repo();
    const params = await paramsIn(dir);
    expect(params).toEqual({
      git: {
        commit,
        branch: "main",
        detached: false,
        dirty: false,
        remote_url: "https://github.com/acme/models.git",
      },
    });
    expect(JSON.stringify(params)).not.toContain("ghp_secret123");
  });

  it("reports a dirty tree and a detached HEAD", async () => {
    const { dir, commit } = await repo();
    gitIn(dir, "checkout", "-q", "--detach", "HEAD");
    await writeFile(join(dir, "a.txt"), "two\n");
    const { git } = (await paramsIn(dir)) as { git: Record<string, unknown> };
    expect(git).toMatchObject({ commit, detached: true, dirty: true });
    expect(git.branch).toBeUndefined();
  });

  it("logs nothing outside a repository", async () => {
    expect(await paramsIn(await tempDir())).toEqual({});
  });

  it("logs nothing when git is not installed", async () => {
    const { dir } = await repo();
    process.env.PATH = await tempDir();
    expect(await paramsIn(dir)).toEqual({});
  });

  it("strips user, password and query from remote URLs, keeping scp-like remotes", () => {
    expect(stripCredentials("https://user:tok@github.com/a/b.git")).toBe("https://github.com/a/b.git");
    expect(stripCredentials("https://oauth2:tok@gitlab.com/a/b.git?private_token=x")).toBe(
      "https://gitlab.com/a/b.git",
    );
    expect(stripCredentials("ssh://git:pw@host:2222/a/b.git")).toBe("ssh://host:2222/a/b.git");
    expect(stripCredentials("git@github.com:a/b.git")).toBe("git@github.com:a/b.git");
    expect(stripCredentials("/srv/repos/b.git")).toBe("/srv/repos/b.git");
  });
});
