import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { TraceletError } from "../../core/errors.js";

/** The page's bundled script and style sheet (uPlot included): the page loads nothing else. */
export interface PageAssets {
  js: string;
  css: string;
}

let cached: PageAssets | undefined;

/**
 * Reads the page bundle that `scripts/build.mjs` writes to `dist/viewer/`, found from this
 * module's location (inside `dist/`, or `src/` next to a built `dist/`).
 *
 * @returns the script and the style sheet
 * @throws TraceletError `TRACELET_ERR_LOAD_FAILED` when the package was not built
 */
export function pageAssets(): PageAssets {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    for (const candidate of [join(dir, "viewer"), join(dir, "dist", "viewer")]) {
      if (existsSync(join(candidate, "page.js"))) {
        cached = {
          js: readFileSync(join(candidate, "page.js"), "utf8"),
          css: readFileSync(join(candidate, "page.css"), "utf8"),
        };
        return cached;
      }
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new TraceletError("TRACELET_ERR_LOAD_FAILED", "The viewer's page bundle (dist/viewer/page.js) is missing.", {
    details: { from: fileURLToPath(import.meta.url) },
  });
}

/**
 * The page's HTML: a shell that loads the bundle, or (for a report) holds it and the data inline.
 *
 * @param options - `inline`: the assets and the report's data, embedded
 * @returns the HTML
 */
export function pageHtml(options: { title: string; inline?: { assets: PageAssets; data: unknown } }): string {
  const title = escapeHtml(options.title);
  if (!options.inline) {
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/assets/page.css"></head><body><div id="app"></div><script src="/assets/page.js"></script></body></html>\n`;
  }
  const { assets, data } = options.inline;
  // JSON inside <script>: "<" escaped so no "</script>" in a value can end the element.
  const json = JSON.stringify(data).replace(/</g, "\\u003c");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:"><title>${title}</title><link rel="icon" href="data:,"><style>${assets.css}</style></head><body><div id="app"></div><script id="tracelet-report" type="application/json">${json}</script><script>${assets.js.replace(/<\/script/gi, "<\\/script")}</script></body></html>\n`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
