/**
 * The browser UI from `public/`, served by @elysiajs/static, the same way on Bun and Deno.
 */
import { readFile } from "node:fs/promises";
import { extname, join } from "node:path";
import { staticPlugin } from "@elysiajs/static";
import { Elysia } from "elysia";
import { contentSecurityPolicy } from "./csp.ts";

// On Deno the plugin sends files without a type (Bun's file objects carry one); browsers
// refuse scripts and styles of the wrong type under `X-Content-Type-Options: nosniff`.
const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
  ".map": "application/json",
  ".woff2": "font/woff2",
};

/**
 * Serves the files in `dir` at `/`, with `index.html` at `/` itself. The file list is read once,
 * at start, and each file becomes its own route (`alwaysStatic`): there is no catch-all that maps
 * a request path onto the disk, so no spelling of a path (`..`, encoded slashes, backslashes) can
 * name a file outside `dir`. Rebuilding the UI therefore needs a restart. `admin.html` is left out:
 * http/admin.ts serves it to admins only.
 */
export async function publicFiles(dir: string, { fixedSet }: { fixedSet: boolean }) {
  const indexPath = join(dir, "index.html");
  const files = await staticPlugin({
    assets: dir,
    prefix: "/",
    alwaysStatic: fixedSet,
    silent: true,
    indexHTML: false,
    maxAge: 0,
    directive: "no-cache",
    // The admin page is served by its own route, to admins only (admin.ts), never as a file.
    ignorePatterns: [/[\\/]admin\.html$/],
  });
  return (
    new Elysia({ name: "public-files" })
      .use(contentSecurityPolicy())
      .onAfterHandle({ as: "scoped" }, ({ request, response }) => {
        if (!(response instanceof Response) || response.headers.has("content-type")) return;
        const type = CONTENT_TYPES[extname(new URL(request.url).pathname)];
        if (type) response.headers.set("content-type", type);
        response.headers.set("x-content-type-options", "nosniff");
      })
      // The plugin maps "/" to index.html only on Bun; one explicit route serves both runtimes.
      .get(
        "/",
        async () =>
          new Response(await readFile(indexPath), {
            headers: { "content-type": CONTENT_TYPES[".html"] ?? "text/html", "cache-control": "no-cache" },
          }),
      )
      // Asset names are fixed, so caches must revalidate (by ETag) to pick up an upgrade.
      .use(files)
  );
}
