import { lstat, mkdir, realpath } from "node:fs/promises";
import { isAbsolute, join, relative as relativePath, sep } from "node:path";
import { TraceletError } from "../../core/errors.js";

function refuse(artifactPath: string, why: string): never {
  throw new TraceletError(
    "TRACELET_ERR_ARTIFACT_PATH_INVALID",
    `Artifact path ${JSON.stringify(artifactPath).slice(0, 80)} was refused: ${why}.`,
    { details: { reason: why } },
  );
}

function inside(root: string, path: string): boolean {
  const rel = relativePath(root, path);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

/**
 * Where an artifact may be written inside a run's `artifacts/` directory, following what is
 * already on disk by real paths: each existing component of `artifactPath` is resolved (a
 * symlink copied in with an earlier artifact, `ckpt/latest -> ../outside`, say), and the path is
 * refused as soon as one leads outside `artifacts/`. The missing components are created as real
 * directories below the last checked one, so nothing is created outside either.
 *
 * @param artifactsDir - the run's `artifacts/` directory (created when missing)
 * @param artifactPath - a relative path already checked lexically (no `..`, not absolute)
 * @returns the real path to write to
 * @throws TraceletError `TRACELET_ERR_ARTIFACT_PATH_INVALID` when it would leave `artifacts/`
 *   (lexically, or through a symlink, also a dangling one)
 */
export async function artifactTarget(artifactsDir: string, artifactPath: string): Promise<string> {
  const parts = artifactPath.split(/[\\/]/).filter((p) => p !== "" && p !== ".");
  if (parts.length === 0 || parts.includes("..") || isAbsolute(artifactPath)) {
    refuse(artifactPath, "it must stay inside the run's artifacts/ directory");
  }
  await mkdir(artifactsDir, { recursive: true });
  const root = await realpath(artifactsDir);
  let current = root;
  for (const [i, part] of parts.entries()) {
    const next = join(current, part);
    const info = await lstat(next).catch(() => undefined);
    if (!info) {
      // Nothing there: the rest is created by us, as real directories under a checked one.
      if (i < parts.length - 1) await mkdir(join(current, ...parts.slice(i, -1)), { recursive: true });
      return join(current, ...parts.slice(i));
    }
    if (info.isSymbolicLink()) {
      const real = await realpath(next).catch(() => undefined);
      if (real === undefined || !inside(root, real)) {
        refuse(artifactPath, `"${parts.slice(0, i + 1).join("/")}" is a symbolic link that leads outside the run`);
      }
      current = real;
    } else current = next;
  }
  return current;
}
