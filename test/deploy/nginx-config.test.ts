/**
 * The shipped nginx files, rendered as Docker and the native stack render them, checked by the
 * real nginx (`nginx -t`) and against the app's own defaults.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync, which } from "bun";
import { ensureNginx, testNginxConfig } from "../../harness/stack/nginx.ts";
import {
  NGINX_CONF,
  renderShippedTemplate,
  TEMPLATES_DIR,
  TLS_TEMPLATES_DIR,
  writeNginxPrefix,
} from "../../harness/stack/nginx-prefix.ts";
import { renderTemplate, templateVariables } from "../../harness/stack/template.ts";
import {
  BALANCE,
  NEGATIVE_CONTROL,
  STREAM_POLICY,
  TEMPLATE_VARIABLES,
  type TemplateValues,
  upstreamServer,
} from "../../harness/stack/template-vars.ts";
import { loadConfig } from "../../src/config.ts";
import { chatBodyLimit } from "../../src/http/chat-body.ts";
import { composeConfig, service } from "./compose-file.ts";
import { selfSignedCertificate } from "./tls-certificate.ts";

const defaults = loadConfig({});
/** The optional authentication step (rendered only when an authenticating proxy is in front). */
const AUTH_TEMPLATES_DIR = join(TEMPLATES_DIR, "..", "auth");
const scratch = mkdtempSync(join(tmpdir(), "sluice-nginx-"));
let nginx = "";

const base: TemplateValues = {
  NGINX_PORT: "18080",
  SLUICE_UPSTREAM: "127.0.0.1:13000",
  SLUICE_UPSTREAM_MORE: "",
  NGINX_ACCESS_LOG: join(scratch, "access.log"),
  ...STREAM_POLICY,
};

beforeAll(() => {
  nginx = ensureNginx();
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The body of the first block that starts with `opening` (blocks here hold no nested braces). */
function block(text: string, opening: string): string {
  const start = text.indexOf(opening);
  expect(start).toBeGreaterThanOrEqual(0);
  return text.slice(text.indexOf("{", start) + 1, text.indexOf("}", start));
}

/** The arguments of every `name …;` directive outside comments. */
function directive(text: string, name: string): string[] {
  const code = text.replace(/#.*$/gm, "");
  return [...code.matchAll(new RegExp(`^\\s*${name}\\s+([^;]*);`, "gm"))].map((match) => (match[1] ?? "").trim());
}

function seconds(value: string): number {
  const match = /^(\d+)(ms|s|m)?$/.exec(value);
  if (!match) throw new Error(`not a duration: ${value}`);
  const unit = { ms: 0.001, s: 1, m: 60 }[match[2] ?? "s"] ?? 1;
  return Number(match[1]) * unit;
}

const proxy = () => renderShippedTemplate("templates/sluice-proxy.inc.template", base);
const streamLocation = () => block(proxy(), "location ~ ^/(api/streams/|api/chat/[^/]+/stream$|chat$|v1/)");

const conf = (values: TemplateValues = base) => renderShippedTemplate("templates/sluice.conf.template", values);

describe("several app instances", () => {
  test("the upstream balances by open connections, and no server can be marked down by failures", () => {
    const upstream = block(
      conf({ ...base, SLUICE_UPSTREAM_MORE: upstreamServer("127.0.0.1:13001") }),
      "upstream sluice_app",
    );
    expect(upstream).toMatch(/^\s*least_conn;/m);
    expect(directive(upstream, "server")).toEqual(["127.0.0.1:13000 max_fails=0", "127.0.0.1:13001 max_fails=0"]);
  });

  test("a request moves to another instance only before it may have started anything", () => {
    const [policy] = directive(proxy(), "proxy_next_upstream");
    // No answer of the app moves a request on: a 503 is the same on every instance.
    expect(policy?.split(/\s+/)).toEqual(["error", "timeout"]);
    // A POST (POST /api/chat starts a generation) is never sent twice.
    expect(policy).not.toContain("non_idempotent");
  });

  test("with two instances, passes nginx -t", () => {
    const values = { ...base, SLUICE_UPSTREAM_MORE: upstreamServer("127.0.0.1:13001") };
    testNginxConfig(nginx, writeNginxPrefix(join(scratch, "two-instances"), values));
  });

  test("balanced by user, the hash comes before keepalive and passes nginx -t", () => {
    const values = { ...base, SLUICE_UPSTREAM_MORE: upstreamServer("127.0.0.1:13001"), SLUICE_BALANCE: BALANCE.users };
    const upstream = block(conf(values), "upstream sluice_app");
    expect(upstream).toMatch(/^\s*hash \$sluice_affinity consistent;[\s\S]*^\s*keepalive /m);
    expect(upstream).not.toMatch(/^\s*least_conn;/m);
    testNginxConfig(nginx, writeNginxPrefix(join(scratch, "two-instances-by-user"), values));
  });
});

describe("the rendered production configuration", () => {
  test("passes nginx -t", () => {
    testNginxConfig(nginx, writeNginxPrefix(join(scratch, "production"), base));
  });

  test("stream routes: buffering off, long read timeout; gzip never lists text/event-stream", () => {
    expect(directive(streamLocation(), "proxy_buffering")).toEqual(["off"]);
    // POST /api/chat answers an AI SDK chat as a stream.
    expect(directive(block(proxy().replace(/#.*$/gm, ""), "location = /api/chat"), "proxy_buffering")).toEqual(["off"]);
    expect(directive(proxy(), "gzip_types").join(" ")).not.toContain("text/event-stream");
    // Twenty heartbeats of silence before nginx gives up on the app.
    const readTimeout = seconds(directive(streamLocation(), "proxy_read_timeout")[0] ?? "");
    expect(readTimeout).toBeGreaterThanOrEqual((20 * defaults.heartbeatMs) / 1000);
  });

  test("HTTP/1.1 keepalive to the app, client abort propagates, no cache", () => {
    const text = proxy();
    expect(directive(text, "proxy_http_version")).toEqual(["1.1"]);
    expect(directive(text, "proxy_set_header")).toContain('Connection ""');
    expect(directive(text, "proxy_ignore_client_abort")).toEqual(["off"]);
    expect(directive(text, "proxy_cache")).toEqual(["off"]);
    const upstream = block(renderShippedTemplate("templates/sluice.conf.template", base), "upstream sluice_app");
    expect(Number(directive(upstream, "keepalive")[0])).toBeGreaterThan(0);
  });

  test("forwarded headers are set once, at server level, and no location sets its own", () => {
    const text = proxy();
    for (const header of ["Host", "X-Forwarded-For", "X-Forwarded-Proto", "X-Request-Id"]) {
      expect(directive(text, "proxy_set_header").some((value) => value.startsWith(`${header} `))).toBe(true);
    }
    const locations = [...text.replace(/#.*$/gm, "").matchAll(/^\s*location\s[^{]*\{([^}]*)\}/gm)];
    expect(locations.length).toBeGreaterThanOrEqual(3);
    for (const [, body] of locations) expect(directive(body ?? "", "proxy_set_header")).toEqual([]);
  });

  test("limits agree with the app: body size, drain time, open files", () => {
    const [everywhere, chat] = directive(proxy(), "client_max_body_size");
    expect(everywhere).toBe(`${defaults.maxBodyBytes / 1_048_576}m`);
    // POST /api/chat may carry images and documents: nginx lets through at least what the app accepts there.
    const code = proxy().replace(/#.*$/gm, "");
    expect(directive(block(code, "location = /api/chat"), "client_max_body_size")).toEqual([chat ?? ""]);
    expect(Number.parseInt(chat ?? "0", 10) * 1_048_576).toBeGreaterThanOrEqual(
      chatBodyLimit(defaults.maxBodyBytes, defaults.images, defaults.documents),
    );
    const main = readFileSync(NGINX_CONF, "utf8");
    expect(seconds(directive(main, "worker_shutdown_timeout")[0] ?? "") * 1000).toBe(defaults.drainTimeoutMs);
    const files = Number(directive(main, "worker_rlimit_nofile")[0]);
    const connections = Number(directive(block(main, "events"), "worker_connections")[0]);
    // Each connection is a descriptor; leave room for logs, temp files and the listening sockets.
    expect(connections).toBeLessThan(files);
    expect(connections / 2).toBeGreaterThanOrEqual(5_000);
  });

  test("the send timeout frees a stalled reader within a minute", () => {
    expect(seconds(directive(proxy(), "send_timeout")[0] ?? "")).toBeLessThanOrEqual(60);
  });
});

describe("the negative control", () => {
  test("passes nginx -t", () => {
    testNginxConfig(nginx, writeNginxPrefix(join(scratch, "negative"), { ...base, ...NEGATIVE_CONTROL }));
  });

  test("differs from production in exactly the three overridden directives", () => {
    const production = proxy().split("\n");
    const control = renderShippedTemplate("templates/sluice-proxy.inc.template", { ...base, ...NEGATIVE_CONTROL });
    const changed = control.split("\n").filter((line, index) => line !== production[index]);
    // Buffering in both locations that stream: the stream routes, and POST /api/chat (an AI SDK chat).
    expect(changed.map((line) => line.trim().split(/\s+/)[0])).toEqual([
      "proxy_ignore_headers",
      "gzip_types",
      "proxy_buffering",
      "proxy_buffering",
    ]);
  });
});

describe("the HTTPS and HTTP/2 server block", () => {
  test("passes nginx -t with a certificate", () => {
    const { certPath, keyPath } = selfSignedCertificate();
    const values = { ...base, NGINX_TLS_PORT: "18443", SLUICE_TLS_CERT: certPath, SLUICE_TLS_KEY: keyPath };
    testNginxConfig(nginx, writeNginxPrefix(join(scratch, "tls"), values, { tls: true }));
  });
});

describe("template variables: one list, one set of values", () => {
  const templates = [
    ...readdirSync(TEMPLATES_DIR).map((name) => join(TEMPLATES_DIR, name)),
    ...readdirSync(TLS_TEMPLATES_DIR).map((name) => join(TLS_TEMPLATES_DIR, name)),
  ];
  const used = new Set(templates.flatMap((path) => templateVariables(readFileSync(path, "utf8"))));

  test("the templates use exactly the listed variables", () => {
    expect([...used].sort()).toEqual([...TEMPLATE_VARIABLES].sort());
  });

  test("docker-compose gives nginx every variable of templates/, with the stack's stream policy", () => {
    const environment = service(composeConfig(), "nginx").environment ?? {};
    const rendered = readdirSync(TEMPLATES_DIR).flatMap((name) =>
      templateVariables(readFileSync(join(TEMPLATES_DIR, name), "utf8")),
    );
    for (const name of rendered) expect(environment[name]).toBeDefined();
    for (const [name, value] of Object.entries(STREAM_POLICY)) expect(environment[name]).toBe(value);
  });

  test.skipIf(!which("envsubst"))("the image's envsubst renders what the stack renders", () => {
    const environment = service(composeConfig(), "nginx").environment ?? {};
    // As the image's 20-envsubst-on-templates.sh: every defined variable that matches the filter.
    const filter = new RegExp(environment.NGINX_ENVSUBST_FILTER ?? "");
    const imageEnv = { ...environment, NGINX_VERSION: "1.30.0", HOME: "/root", PATH: process.env.PATH ?? "" };
    const names = Object.keys(imageEnv).filter((name) => filter.test(name));
    for (const name of readdirSync(TEMPLATES_DIR)) {
      const text = readFileSync(join(TEMPLATES_DIR, name), "utf8");
      const shellFormat = names.map((variable) => `\${${variable}}`).join(" ");
      const result = spawnSync(["envsubst", shellFormat], { stdin: Buffer.from(text), env: imageEnv });
      expect(result.stdout.toString()).toBe(renderShippedTemplate(`templates/${name}`, environment));
    }
  });
});

describe("what reaches the app", () => {
  test("only the app's methods are proxied; others get nginx's own 405 JSON with Allow", () => {
    const text = proxy();
    expect(text).toMatch(/if \(\$request_method !~ \^\(GET\|HEAD\|POST\|PATCH\|DELETE\|OPTIONS\)\$\) \{\s*return 405;/);
    const named = block(text, "location @sluice_method_not_allowed");
    expect(directive(named, "add_header")).toEqual(['Allow "GET, HEAD, POST, PATCH, DELETE, OPTIONS" always']);
  });

  test("only the headers the app reads are passed; the user headers only from nginx's own authentication step", () => {
    expect(directive(proxy(), "proxy_pass_request_headers")).toEqual(["off"]);
    const headers = directive(proxy(), "proxy_set_header");
    for (const name of ["X-Forwarded-User", "Remote-User"]) expect(headers).toContain(`${name} $sluice_auth_user`);
    for (const name of ["Authorization", "Cookie", "Origin", "Sec-Fetch-Site", "Sec-Fetch-Dest", "Last-Event-ID"])
      expect(headers.some((value) => value.startsWith(`${name} $`))).toBe(true);
    expect(headers.some((value) => /^(X-Forwarded-Email|X-Auth-Request-User|Remote-Groups) /.test(value))).toBe(false);
  });

  test("every passed header is checked for control characters", () => {
    const passed = directive(proxy(), "proxy_set_header")
      .map((value) => /\$(http_[a-z_]+|content_type)$/.exec(value)?.[1])
      .filter((name): name is string => name !== undefined);
    const checked = /map "([^"]*)" \$sluice_header_garbage/.exec(conf())?.[1] ?? "";
    for (const name of passed) expect([name, checked.includes(`$${name}`)]).toEqual([name, true]);
    expect(checked).toContain("$http_x_request_id");
    expect(proxy()).toMatch(/if \(\$sluice_header_garbage\) \{\s*return 400/);
  });

  test("slow clients are cut off: headers within 10 s, body reads within 30 s", () => {
    expect(directive(proxy(), "client_header_timeout")).toEqual(["10s"]);
    expect(directive(proxy(), "client_body_timeout")).toEqual(["30s"]);
  });

  test("the auth_request example renders and passes nginx -t", () => {
    const dir = join(scratch, "auth");
    const prefix = writeNginxPrefix(dir, base);
    const text = readFileSync(join(AUTH_TEMPLATES_DIR, "sluice-auth.inc.template"), "utf8");
    writeFileSync(
      join(prefix.dir, "conf.d", "sluice-auth.inc"),
      renderTemplate(text, { SLUICE_AUTH_PROXY: "http://127.0.0.1:14180" }),
    );
    testNginxConfig(nginx, prefix);
  });
});
