/**
 * The page under test, served from a folder of built UI files in front of a running stack: the
 * page and its assets from `publicDir`, every other request (the API, the event streams) passed
 * on to the stack. The bench serves the current UI and an earlier revision's the same way, so the
 * two differ only in their bundles.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { extname, join } from "node:path";
import { contentSecurityPolicyValue } from "../../src/http/csp.ts";

const root = new URL("../../", import.meta.url).pathname;

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json",
};

export interface PageServer {
  url: string;
  stop(): void;
}

/** Serves `publicDir`'s page and assets on a free port; everything else goes to `stackUrl`. */
export function servePage(publicDir: string, stackUrl: string): PageServer {
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    async fetch(request) {
      const { pathname, search } = new URL(request.url);
      const file = pathname === "/" ? "index.html" : pathname.startsWith("/assets/") ? pathname.slice(1) : undefined;
      if (file !== undefined && !file.includes("..")) {
        const headers = {
          "content-type": TYPES[extname(file)] ?? "application/octet-stream",
          "content-security-policy": contentSecurityPolicyValue,
          "cache-control": "no-store",
        };
        return new Response(readFileSync(join(publicDir, file)), { headers });
      }
      const headers = new Headers(request.headers);
      // Bodies pass through as they are: nothing here decodes or re-encodes them.
      headers.set("accept-encoding", "identity");
      const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer();
      return fetch(`${stackUrl}${pathname}${search}`, { method: request.method, headers, body, redirect: "manual" });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, stop: () => server.stop(true) };
}

/**
 * Builds this checkout's UI and copies it to a scratch folder (.exp/, ignored by git), so that
 * rebuilding during a run changes nothing; returns the folder to serve.
 */
export function buildCurrentUi(): string {
  run(["node_modules/.bin/bun", "scripts/build-ui.ts"], root);
  const dir = join(root, ".exp", "ui-current");
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(root, "public"), dir, { recursive: true });
  return dir;
}

/** The commit a UI was built from: `revision`'s, or this checkout's (marked "+changes" when ui/ or public/ has uncommitted ones). */
export function commitOf(revision = "HEAD"): string {
  const commit = run(["git", "rev-parse", "--short", revision], root).trim();
  if (revision !== "HEAD") return commit;
  return run(["git", "status", "--porcelain", "--", "ui", "public"], root).trim() ? `${commit}+changes` : commit;
}

/**
 * Builds the UI of git revision `revision` in a scratch folder (.exp/, ignored by git): its ui/,
 * src/ (the UI imports shared types and helpers) and build script, with this checkout's packages.
 */
export function buildRevisionUi(revision: string): string {
  const commit = run(["git", "rev-parse", "--short", revision], root).trim();
  const dir = join(root, ".exp", `ui-${commit}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  run(["bash", "-c", `git archive ${commit} ui src scripts/build-ui.ts public | tar -x -C "${dir}"`], root);
  if (!existsSync(join(dir, "node_modules"))) symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
  run([join(root, "node_modules/.bin/bun"), "scripts/build-ui.ts"], dir);
  return join(dir, "public");
}

function run(command: string[], cwd: string): string {
  const result = Bun.spawnSync(command, { cwd, stdout: "pipe", stderr: "pipe" });
  if (result.exitCode !== 0) throw new Error(`${command.join(" ")} failed: ${result.stderr.toString()}`);
  return result.stdout.toString();
}
