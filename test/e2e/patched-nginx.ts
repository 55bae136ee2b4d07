/**
 * The shipped nginx in front of given app instances, rendered from the production templates and
 * then, for a negative control, changed in one named place: the same files, one defence undone.
 * Optional includes (the auth_request example) are rendered into conf.d/ too.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../harness/stack/free-port.ts";
import { ensureNginx, spawnNginx, testNginxConfig, waitForNginx } from "../../harness/stack/nginx.ts";
import { writeNginxPrefix } from "../../harness/stack/nginx-prefix.ts";
import { StackProcess } from "../../harness/stack/process.ts";
import { STREAM_POLICY, upstreamServer } from "../../harness/stack/template-vars.ts";
import { type AccessLogEntry, accessLog } from "./access-log.ts";

export interface PatchedNginx {
  url: string;
  port: number;
  /** nginx's error log so far (what it said about each upstream). */
  errors(): string;
  /** The JSON access log's lines so far. */
  accessLog(): AccessLogEntry[];
  stop(): Promise<void>;
}

export interface NginxChanges {
  /** Rewrites conf.d/sluice-proxy.inc as rendered. */
  proxy?: (text: string) => string;
  /** Rewrites conf.d/sluice.conf as rendered. */
  server?: (text: string) => string;
  /** More files for conf.d/, by name (e.g. "sluice-auth.inc"). */
  includes?: Record<string, string>;
}

/** nginx on a free port in front of `upstreams` (host:port), with `changes` applied. */
export async function startPatchedNginx(upstreams: string[], changes: NginxChanges = {}): Promise<PatchedNginx> {
  const dir = mkdtempSync(join(tmpdir(), "sluice-patched-nginx-"));
  // nginx started as root runs its workers as "nobody", which must reach the temp files here.
  chmodSync(dir, 0o755);
  const port = freePort();
  const accessLogPath = join(dir, "access.log");
  const prefix = writeNginxPrefix(dir, {
    NGINX_PORT: `127.0.0.1:${port}`,
    SLUICE_UPSTREAM: upstreams[0] as string,
    SLUICE_UPSTREAM_MORE: upstreams.slice(1).map(upstreamServer).join("\n"),
    NGINX_ACCESS_LOG: accessLogPath,
    ...STREAM_POLICY,
  });
  const rewrite = (name: string, change: ((text: string) => string) | undefined) => {
    if (!change) return;
    const path = join(prefix.dir, "conf.d", name);
    writeFileSync(path, change(readFileSync(path, "utf8")));
  };
  rewrite("sluice-proxy.inc", changes.proxy);
  rewrite("sluice.conf", changes.server);
  for (const [name, text] of Object.entries(changes.includes ?? {}))
    writeFileSync(join(prefix.dir, "conf.d", name), text);
  const binary = ensureNginx();
  testNginxConfig(binary, prefix);
  const nginx = new StackProcess("nginx", spawnNginx(binary, prefix));
  const url = `http://127.0.0.1:${port}`;
  await waitForNginx(url, nginx, prefix, 10_000);
  const read = (path: string) => {
    try {
      return readFileSync(path, "utf8");
    } catch {
      return "";
    }
  };
  return {
    url,
    port,
    errors: () => read(prefix.errorLogPath),
    accessLog: () => accessLog(accessLogPath),
    stop: async () => {
      await nginx.stop("SIGTERM", 3_000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The negative control of the pool's health: passive checks as they were (3 failures take an instance out for 10 s). */
export const countFailures = (text: string) => text.replace(/max_fails=0;/g, "max_fails=3 fail_timeout=10s;");

/** The negative control of the method list: every method proxied to the app. */
export const allMethods = (text: string) => text.replace(/^if \(\$request_method[^{]*\{\n.*\n\}\n/m, "");

/** The negative control of the header check: a control character in a passed header reaches the app. */
export const anyHeaderValues = (text: string) => text.replace(/^if \(\$sluice_header_garbage\) \{\n.*\n\}\n/m, "");

/** The negative control of the header list: every client header passed on, the user headers as the client sent them. */
export const clientHeaders = (text: string) =>
  text
    .replace("proxy_pass_request_headers off;", "proxy_pass_request_headers on;")
    .replace(/^proxy_set_header (X-Forwarded-User|Remote-User) .*\n/gm, "");
