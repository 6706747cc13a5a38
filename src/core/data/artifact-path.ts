import { posix } from "node:path";
import { TraceletError } from "../errors.js";

/**
 * Checks and normalises where an artifact goes inside a run, before any backend sees it, so
 * that no backend has to repeat the check: a relative path with `/` separators that stays inside
 * the run's artifacts (no absolute path, no `..` segment, no NUL, not empty).
 *
 * @param artifactPath - the path the caller gave
 * @returns the normalised relative path, e.g. `"models/model.bin"`
 * @throws TraceletError `TRACELET_ERR_ARTIFACT_PATH_INVALID`
 */
export function checkArtifactPath(artifactPath: unknown): string {
  const refuse = (why: string): never => {
    throw new TraceletError(
      "TRACELET_ERR_ARTIFACT_PATH_INVALID",
      `Artifact path ${JSON.stringify(String(artifactPath)).slice(0, 80)} was refused: ${why}.`,
      { details: { reason: why } },
    );
  };
  if (typeof artifactPath !== "string" || artifactPath.trim() === "") return refuse("it must be a non-empty string");
  if (artifactPath.includes("\0")) return refuse("it contains a NUL character");
  const slashed = artifactPath.replaceAll("\\", "/");
  if (slashed.startsWith("/") || /^[A-Za-z]:/.test(slashed)) return refuse("it is absolute");
  if (slashed.split("/").includes("..")) return refuse("it contains a `..` segment");
  const normal = posix.normalize(slashed).replace(/^(\.\/)+/, "");
  if (normal === "." || normal === "") return refuse("it names the artifacts directory itself");
  return normal;
}
