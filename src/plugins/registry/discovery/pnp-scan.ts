import { MAX_MANIFEST_BYTES } from "../manifest/manifest-types.js";
import { readPackageFile } from "./package-file.js";
import type { PnpTree } from "./pnp.js";
import { readPackageText } from "./read-package-text.js";
import type { ScanResult } from "./scan-types.js";
import { zipPathOf } from "./zip-archive.js";

/**
 * Reads the package.json of every package of a Plug'n'Play project, from its zip archive or
 * from disk (unplugged packages, workspaces, links), and keeps those that mention
 * `"tracelet"`. Packages a workspace depends on directly count as nearest (depth 0), the
 * others as depth 1, as if hoisted and nested.
 *
 * @param tree - from `pnpTree`
 * @returns candidates, and what a cache needs to be checked later
 */
export function scanPnp(tree: PnpTree): ScanResult {
  const result: ScanResult = { candidates: [], dirs: {}, packages: [], missing: [], packagesSeen: 0 };
  const archives = new Set<string>();
  for (const dir of tree.locations) {
    result.packagesSeen++;
    const depth = tree.direct.has(dir) ? 0 : 1;
    const zipped = zipPathOf(`${dir}/package.json`);
    if (!zipped) {
      const found = readPackageText(`${dir}/package.json`);
      if (found.kind === "absent") {
        result.missing.push(dir);
        continue;
      }
      result.packages.push([dir, "."]);
      if (found.kind === "candidate") {
        result.candidates.push({ dir, source: "project", depth, text: found.text, size: found.text.length });
      } else if (found.kind === "too-large") {
        result.candidates.push({ dir, source: "project", depth, size: found.size });
      }
      continue;
    }
    archives.add(zipped.archive);
    const read = readPackageFile(`${dir}/package.json`, MAX_MANIFEST_BYTES);
    // An over-large package.json in an archive is skipped: reading it whole to look for the key
    // would cost more than any plugin manifest is worth.
    if (read.kind === "text" && read.text.includes('"tracelet"')) {
      result.candidates.push({ dir, source: "project", depth, text: read.text, size: read.text.length });
    }
  }
  result.archives = [...archives].sort();
  return result;
}
