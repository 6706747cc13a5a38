import { build } from "esbuild";
import type { PageAssets } from "../../src/viewer/server/assets.js";
import { ROOT } from "../helpers/cli.js";

let built: Promise<PageAssets> | undefined;

/** The page bundle built from src/ (as scripts/build.mjs builds it), so tests do not depend on dist/. */
export function testPageAssets(): Promise<PageAssets> {
  built ??= build({
    absWorkingDir: ROOT,
    entryPoints: { page: "src/viewer/page/main.ts" },
    outdir: "/page",
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
  }).then((r) => {
    const text = (ext: string) => r.outputFiles.find((f) => f.path.endsWith(ext))?.text ?? "";
    return { js: text(".js"), css: text(".css") };
  });
  return built;
}
