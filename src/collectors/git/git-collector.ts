import { execFile } from "node:child_process";
import { CollectorPlugin } from "../../plugins/authoring/base.js";
import { type GitCollectorConfig, gitMetadata } from "./metadata.js";
import { stripCredentials } from "./strip-credentials.js";

/** What the `git` collector logs, under `git.`. */
export interface GitInfo {
  /** Full commit hash of HEAD. */
  commit: string;
  /** Current branch; absent on a detached HEAD. */
  branch?: string;
  /** Whether HEAD is detached. */
  detached: boolean;
  /** Whether tracked files have uncommitted changes (absent when `git status` failed or timed out). */
  dirty?: boolean;
  /** `origin` (or the first remote) with credentials stripped. */
  remote_url?: string;
}

/**
 * Runs one git command asynchronously under a deadline.
 *
 * @param args - git arguments
 * @param cwd - working directory
 * @param timeoutMs - deadline
 * @returns trimmed stdout, or undefined when git is missing, fails or times out
 */
function git(args: string[], cwd: string, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(
      "git",
      args,
      { cwd, timeout: timeoutMs, windowsHide: true, env: { ...process.env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" } },
      (error, stdout) => resolve(error ? undefined : String(stdout).trim()),
    );
  });
}

/**
 * Reads the repository's state: commit, branch (none when detached), dirty flag, remote URL.
 *
 * @param cwd - a directory inside the repository
 * @param timeoutMs - deadline of each git command
 * @returns the state, or undefined when there is no git or no repository
 */
export async function readGitInfo(cwd: string, timeoutMs: number): Promise<GitInfo | undefined> {
  const commit = await git(["rev-parse", "--verify", "HEAD"], cwd, timeoutMs);
  if (!commit) return undefined;
  const [branch, status, origin] = await Promise.all([
    git(["symbolic-ref", "--quiet", "--short", "HEAD"], cwd, timeoutMs),
    git(["status", "--porcelain", "--untracked-files=no"], cwd, timeoutMs),
    git(["remote", "get-url", "origin"], cwd, timeoutMs),
  ]);
  let remote = origin;
  if (!remote) {
    const first = (await git(["remote"], cwd, timeoutMs))?.split("\n")[0];
    if (first) remote = await git(["remote", "get-url", first], cwd, timeoutMs);
  }
  const info: GitInfo = { commit, detached: !branch };
  // A status that failed or timed out (a huge work tree) says nothing: no flag rather than a wrong one.
  if (status !== undefined) info.dirty = status.length > 0;
  if (branch) info.branch = branch;
  if (remote) info.remote_url = stripCredentials(remote);
  return info;
}

/**
 * The built-in `git` collector: logs the repository's commit, branch, dirty flag and remote
 * URL (credentials stripped) once, as params under `git.`. No git or no repository: nothing.
 * It emits no metrics.
 */
export class GitCollector extends CollectorPlugin<GitCollectorConfig> {
  /** Metadata for hand registration. */
  static metadata = gitMetadata;

  /** @returns no metrics: the git state does not change during a run worth sampling */
  collect(): Record<string, number> {
    return {};
  }

  /** @returns false: params only, so Tracelet never schedules `collect()` */
  override hasPeriodicSamples(): boolean {
    return false;
  }

  /**
   * The git state, called once by Tracelet after start.
   *
   * @returns `{ git: GitInfo }`, or `{}` without git or repository
   */
  override async params(): Promise<Record<string, unknown>> {
    const info = await readGitInfo(this.config.cwd ?? process.cwd(), this.config.timeoutMs ?? 2000);
    if (!info) this.logger.debug("no git repository here; nothing logged");
    return info ? { git: info } : {};
  }
}
