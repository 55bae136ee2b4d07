/**
 * Builds the browser UI: ui/main.ts → public/assets/app.js (minified, one classic script,
 * so it runs whatever content type the server gives it), ui/styles.css → app.css, the sign-in
 * and admin pages' own bundles, and the highlight.js themes for light and dark. Everything is served from the app itself: no CDN.
 */
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = new URL("../", import.meta.url).pathname;
const outdir = join(root, "public/assets");

// Stable names (index.html refers to them); the static server's ETag revalidation keeps them fresh.
const themes = { "hljs-light.css": "github.css", "hljs-dark.css": "github-dark.css" };

// The chat, the sign-in page as its own small bundle (it loads before anyone may see the chat),
// the theme's few lines that run before the chat's first paint, a share link's page (it reads the
// link's snapshot and nothing else), and the admin page, which the chat never loads.
const BUNDLES = [
  { name: "app", entries: ["ui/main.ts", "ui/styles.css"], sourcemap: "linked" as const },
  { name: "login", entries: ["ui/login.ts", "ui/login.css"], sourcemap: "none" as const },
  { name: "theme", entries: ["ui/theme-boot.ts"], sourcemap: "none" as const },
  { name: "shared", entries: ["ui/shared-page.ts", "ui/shared.css"], sourcemap: "none" as const },
  { name: "admin", entries: ["ui/admin.ts", "ui/admin.css"], sourcemap: "none" as const },
];

/** One classic script (it runs whatever content type the server gives it) and its stylesheet. */
function bundleOf(name: string, entries: string[], sourcemap: "linked" | "none") {
  return Bun.build({
    entrypoints: entries.map((entry) => join(root, entry)),
    outdir,
    naming: `${name}.[ext]`,
    target: "browser",
    format: "iife",
    minify: true,
    sourcemap,
  });
}

async function build(): Promise<void> {
  const started = performance.now();
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const builds = await Promise.all(BUNDLES.map((bundle) => bundleOf(bundle.name, bundle.entries, bundle.sourcemap)));
  for (const build of builds) {
    if (build.success) continue;
    for (const log of build.logs) console.error(log);
    process.exit(1);
  }
  for (const [name, source] of Object.entries(themes)) {
    copyFileSync(join(root, "node_modules/highlight.js/styles", source), join(outdir, name));
  }
  const files = builds
    .flatMap((build) => build.outputs)
    .map((output) => `${output.path.slice(root.length)} (${Math.round(output.size / 1024)} KiB)`);
  console.log(`UI built in ${Math.round(performance.now() - started)} ms: ${files.join(", ")}`);
}

await build();
