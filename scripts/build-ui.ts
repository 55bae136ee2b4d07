/**
 * Builds the browser UI: ui/main.ts → public/assets/app.js (minified, one classic script,
 * so it runs whatever content type the server gives it), ui/styles.css → app.css, and the
 * highlight.js themes for light and dark. Everything is served from the app itself: no CDN.
 */
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = new URL("../", import.meta.url).pathname;
const outdir = join(root, "public/assets");

// Stable names (index.html refers to them); the static server's ETag revalidation keeps them fresh.
const themes = { "hljs-light.css": "github.css", "hljs-dark.css": "github-dark.css" };

async function build(): Promise<void> {
  const started = performance.now();
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const result = await Bun.build({
    entrypoints: [join(root, "ui/main.ts"), join(root, "ui/styles.css")],
    outdir,
    naming: "app.[ext]",
    target: "browser",
    format: "iife",
    minify: true,
    sourcemap: "linked",
  });
  // The sign-in page is its own small bundle: it loads before anyone may see the chat.
  const login = await Bun.build({
    entrypoints: [join(root, "ui/login.ts"), join(root, "ui/login.css")],
    outdir,
    naming: "login.[ext]",
    target: "browser",
    format: "iife",
    minify: true,
  });
  for (const build of [result, login]) {
    if (build.success) continue;
    for (const log of build.logs) console.error(log);
    process.exit(1);
  }
  for (const [name, source] of Object.entries(themes)) {
    copyFileSync(join(root, "node_modules/highlight.js/styles", source), join(outdir, name));
  }
  const files = [...result.outputs, ...login.outputs].map(
    (output) => `${output.path.slice(root.length)} (${Math.round(output.size / 1024)} KiB)`,
  );
  console.log(`UI built in ${Math.round(performance.now() - started)} ms: ${files.join(", ")}`);
}

await build();
