/**
 * Every method gets a deliberate answer: the app's own methods their routes, every other one
 * 405 JSON with `Allow`, before anything else reads the request. Deno used to answer CONNECT
 * with 500 and a stack trace per request (its `Request` refuses CONNECT, TRACE and TRACK).
 *
 * Bun closes the connection on a method it does not know (`FOO`, `TRACK`) before any handler
 * runs (oven-sh/bun#6556): no application code can answer those, so the shipped nginx refuses
 * them before proxying (test/e2e/edge-nginx.test.ts), and on Bun they are not sent here.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { runtime } from "../../harness/stack/spawn.ts";
import { rawRequest } from "./raw-http.ts";
import { ALICE, startTarget, type TargetApp } from "./setup.ts";

/** Methods Bun's parser knows but no route of Sluice has. */
const KNOWN_ELSEWHERE = ["PUT", "TRACE", "PROPFIND", "MKCOL", "COPY", "MOVE", "LOCK", "SEARCH", "PURGE", "LINK"];
/** Methods only a runtime that reads any method (Deno) passes to the app. */
const UNKNOWN = ["FOO", "TRACK", "QUERYX", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"];
const REFUSED = runtime === "deno" ? [...KNOWN_ELSEWHERE, ...UNKNOWN] : KNOWN_ELSEWHERE;

/** CONNECT in authority form (`CONNECT host:port`), as a proxy client sends it. */
const connect = (app: TargetApp) =>
  rawRequest(app.port, `127.0.0.1:${app.port}`, { method: "CONNECT", host: `127.0.0.1:${app.port}` });

let app: TargetApp;
beforeAll(async () => {
  app = await startTarget();
});
afterAll(() => app?.stop());

test("methods no route has get 405 JSON with Allow, signed in or not, on any path", async () => {
  for (const method of REFUSED) {
    for (const [path, headers] of [
      ["/", {}],
      ["/api/conversations", { authorization: `Bearer ${ALICE}` }],
      ["/no/such/route", {}],
    ] as const) {
      const response = await rawRequest(app.port, path, { method, headers });
      expect([method, path, response.status]).toEqual([method, path, 405]);
      expect(response.head).toMatch(/^allow: GET, HEAD, POST, PATCH, DELETE, OPTIONS$/im);
      expect(JSON.parse(response.body).error.code).toBe("method_not_allowed");
    }
  }
});

test("CONNECT gets 405, not a 500 with a stack trace in the log", async () => {
  expect((await connect(app)).status).toBe(405);
  // CONNECT with a path is malformed: Deno's HTTP parser answers 400 itself.
  expect([400, 405]).toContain((await rawRequest(app.port, "/", { method: "CONNECT" })).status);
  expect(app.output()).not.toMatch(/Method is forbidden|\n\s+at /);
});

test("the app's own methods still reach their routes", async () => {
  expect((await rawRequest(app.port, "/healthz", { method: "HEAD" })).status).toBe(200);
  expect((await rawRequest(app.port, "/healthz", { method: "OPTIONS" })).status).toBeLessThan(500);
  const list = await rawRequest(app.port, "/api/conversations", { headers: { authorization: `Bearer ${ALICE}` } });
  expect(list.status).toBe(200);
});

test("negative control: with the method list off, other methods fall through to the router, CONNECT to a fault", async () => {
  const open = await startTarget({}, { defencesOff: ["methods"] });
  try {
    expect((await rawRequest(open.port, "/healthz", { method: "PROPFIND" })).status).toBe(404);
    // Deno's Request refuses CONNECT: without the check, a client causes a 500 (one line, no stack).
    if (runtime === "deno") expect((await connect(open)).status).toBe(500);
    else expect((await connect(open)).status).not.toBe(405);
  } finally {
    await open.stop();
  }
});
