/**
 * The shipped nginx as the edge: methods no route has never reach an instance (Bun would drop
 * them, and a pool that counted drops would go down: the four requests, shown by the
 * negative control); a raw non-ASCII request target is refused; the user headers of
 * AUTH=trusted-header come only from nginx's own authentication step (the auth_request example,
 * against a small stand-in for oauth2-proxy), never from the client; slow headers are cut off.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { pollUntil } from "../../harness/client/poll.ts";
import { type Started, startApp } from "../../harness/stack/spawn.ts";
import { renderTemplate } from "../../harness/stack/template.ts";
import { rawRequest } from "../security/raw-http.ts";
import {
  allMethods,
  anyHeaderValues,
  clientHeaders,
  countFailures,
  type PatchedNginx,
  startPatchedNginx,
} from "./patched-nginx.ts";

const hostOf = (app: Started) => new URL(app.url).host;
const send = (nginx: PatchedNginx, method: string, target = "/healthz", headers: Record<string, string> = {}) =>
  rawRequest(nginx.port, target, { method, headers }).catch(() => ({ status: 0, head: "", body: "" }));

describe("methods", () => {
  let apps: Started[];
  let nginx: PatchedNginx;
  beforeAll(async () => {
    apps = await Promise.all([startApp({ AUTH: "none" }), startApp({ AUTH: "none" })]);
    nginx = await startPatchedNginx(apps.map(hostOf));
  });
  afterAll(async () => {
    await nginx?.stop();
    await Promise.all((apps ?? []).map((app) => app.stop()));
  });

  test("made-up methods get nginx's own 405 JSON with Allow, and never reach an instance", async () => {
    const before = nginx.accessLog().length;
    for (const method of ["FOO", "TRACK", "PROPFIND", "CONNECTX", "PUT"]) {
      const response = await send(nginx, method);
      expect([method, response.status]).toEqual([method, 405]);
      expect(JSON.parse(response.body).error.code).toBe("method_not_allowed");
      expect(response.head).toMatch(/^allow: GET, HEAD, POST, PATCH, DELETE, OPTIONS$/im);
    }
    // Logged as nginx's own answers: no instance was asked (the readiness probe's line may land late).
    const made = new Set(["FOO", "TRACK", "PROPFIND", "CONNECTX", "PUT"]);
    const madeUp = () =>
      nginx
        .accessLog()
        .slice(before)
        .filter((line) => made.has(line.method));
    const asked = (await pollUntil(madeUp, (lines) => lines.length >= 5, 10_000)).map((line) => line.upstream_addr);
    expect(asked).toHaveLength(5);
    for (const instance of apps.map(hostOf)) expect(asked).not.toContain(instance);
  });

  test("a control character in a header the app reads gets 400; headers the app does not read stay at nginx", async () => {
    const garbage = await send(nginx, "GET", "/healthz", { cookie: "a=\u001fb" });
    expect(garbage.status).toBe(400);
    expect(JSON.parse(garbage.body).error.code).toBe("invalid_header");
    expect((await send(nginx, "GET", "/healthz", { "x-unread": "a\u001fb", cookie: "a=b\tc" })).status).toBe(200);
  });

  test("negative control: without the check, the control character reaches the app's runtime", async () => {
    const open = await startPatchedNginx(apps.map(hostOf), { proxy: anyHeaderValues });
    try {
      const garbage = await send(open, "GET", "/healthz", { cookie: "a=\u001fb" });
      // The runtime's own parser answers (Bun 400, Deno 400 or a reset nginx turns into 502).
      expect(garbage.body).not.toContain("invalid_header");
      expect(nginx.accessLog().length).toBeGreaterThan(0);
      expect(open.accessLog().at(-1)?.upstream_addr).not.toBe("-");
    } finally {
      await open.stop();
    }
  });

  test("a raw non-ASCII request target gets 400; percent-encoded, it reaches the app", async () => {
    const raw = await rawRequest(nginx.port, "/api/conversations?q=\u00e9\u2474");
    expect(raw.status).toBe(400);
    expect(JSON.parse(raw.body).error.code).toBe("invalid_path");
    expect((await send(nginx, "GET", "/healthz?q=%C3%A9%E2%91%B4")).status).toBe(200);
  });
});

describe("the issue's four requests against two Bun instances", () => {
  /** Sends `rounds` of 12 made-up methods, then 20 ordinary requests; their statuses. */
  async function attack(changes: Parameters<typeof startPatchedNginx>[1]) {
    // Bun closes a connection on a method it does not know: the attack needs Bun whatever SLUICE_RUNTIME says.
    const apps = await Promise.all([startApp({ AUTH: "none" }, "bun"), startApp({ AUTH: "none" }, "bun")]);
    const nginx = await startPatchedNginx(apps.map(hostOf), changes);
    try {
      for (let round = 0; round < 3; round++)
        await Promise.all(Array.from({ length: 12 }, () => send(nginx, "FOO", "/")));
      const after = [];
      for (let index = 0; index < 20; index++) after.push((await send(nginx, "GET", "/healthz")).status);
      return after;
    } finally {
      await nginx.stop();
      await Promise.all(apps.map((app) => app.stop()));
    }
  }

  test("leave every instance in the pool: legitimate requests all succeed", async () => {
    expect(await attack({})).toEqual(Array(20).fill(200));
  }, 60_000);

  test("negative control: with every method proxied and failures counted, the pool goes down (502)", async () => {
    const statuses = await attack({ proxy: allMethods, server: countFailures });
    // Instances marked down answer nothing for 10 s: ordinary requests get 502 (how many depends on
    // which of nginx's workers counted the failures).
    expect(statuses.filter((status) => status === 502).length).toBeGreaterThan(0);
  }, 60_000);
});

describe("the trusted user header", () => {
  // A stand-in for oauth2-proxy: /oauth2/auth says who a cookie belongs to, or 401.
  const authService = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(request) {
      const path = new URL(request.url).pathname;
      if (path !== "/oauth2/auth") return new Response("sign in here", { status: 200 });
      const signedIn = /(^|;\s*)_oauth2_proxy=alice-session/.test(request.headers.get("cookie") ?? "");
      return signedIn
        ? new Response(null, { status: 202, headers: { "x-auth-request-user": "alice" } })
        : new Response(null, { status: 401 });
    },
  });
  const authInclude = renderTemplate(
    readFileSync(
      join(new URL("../../deploy/nginx/auth/", import.meta.url).pathname, "sluice-auth.inc.template"),
      "utf8",
    ),
    { SLUICE_AUTH_PROXY: `http://127.0.0.1:${authService.port}` },
  );
  const forged = { "x-forwarded-user": "bob", "remote-user": "bob" };
  let app: Started;
  beforeAll(async () => {
    app = await startApp({ AUTH: "trusted-header", AUTH_TRUSTED_PROXIES: "127.0.0.1/32" });
  });
  afterAll(async () => {
    await app?.stop();
    authService.stop(true);
  });

  const whoThrough = async (nginx: PatchedNginx, headers: Record<string, string>) => {
    const response = await rawRequest(nginx.port, "/api/session", { headers });
    return {
      status: response.status,
      head: response.head,
      user: response.status === 200 ? JSON.parse(response.body).user : undefined,
    };
  };

  test("without an authentication step, a client's X-Forwarded-User and Remote-User are removed", async () => {
    const nginx = await startPatchedNginx([hostOf(app)]);
    try {
      expect(await whoThrough(nginx, forged)).toMatchObject({ status: 401 });
    } finally {
      await nginx.stop();
    }
  });

  test("with the auth_request example, the user is who the proxy says, whatever the client sends", async () => {
    const nginx = await startPatchedNginx([hostOf(app)], { includes: { "sluice-auth.inc": authInclude } });
    try {
      const anonymous = await whoThrough(nginx, forged);
      expect(anonymous.status).toBe(302);
      expect(anonymous.head).toMatch(/^location: (http:\/\/[^/]+)?\/oauth2\/start\?rd=\/api\/session$/im);
      expect(await whoThrough(nginx, { ...forged, cookie: "_oauth2_proxy=alice-session" })).toMatchObject({
        status: 200,
        user: "alice",
      });
    } finally {
      await nginx.stop();
    }
  });

  test("negative control: a template that passes the client's headers on lets anyone be anyone", async () => {
    const nginx = await startPatchedNginx([hostOf(app)], { proxy: clientHeaders });
    try {
      expect(await whoThrough(nginx, forged)).toMatchObject({ status: 200, user: "bob" });
    } finally {
      await nginx.stop();
    }
  });
});

/** Opens a connection, sends half a request head, then a header line every 2 s; when it was closed. */
function slowHeaders(port: number, forMs: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connect({ port, host: "127.0.0.1" }, () => socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n"));
    const timer = setInterval(() => socket.write("X-Slow: 1\r\n"), 2_000);
    socket.on("error", () => {});
    socket.on("close", () => {
      clearInterval(timer);
      resolve(performance.now() - started);
    });
    setTimeout(() => {
      clearInterval(timer);
      socket.destroy();
      resolve(undefined);
    }, forMs);
  });
}

test("slow headers are cut off within ~10 s; negative control: without the timeout, still open at 16 s", async () => {
  const app = await startApp({ AUTH: "none" });
  const production = await startPatchedNginx([hostOf(app)]);
  const control = await startPatchedNginx([hostOf(app)], {
    proxy: (text) => text.replace(/^client_header_timeout .*\n/m, ""),
  });
  try {
    const [cut, open] = await Promise.all([slowHeaders(production.port, 16_000), slowHeaders(control.port, 16_000)]);
    expect(cut).toBeGreaterThan(9_000);
    expect(cut).toBeLessThan(14_000);
    expect(open).toBeUndefined();
  } finally {
    await Promise.all([production.stop(), control.stop()]);
    await app.stop();
  }
}, 40_000);
