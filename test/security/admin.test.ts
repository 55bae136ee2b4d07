/**
 * The admin API as an attacker meets it: to a signed-in user who is not an admin, every admin
 * route (the page and the API, every method, a bad body too) answers exactly as a route that does
 * not exist; to nobody signed in, exactly as any other route without a session. The admin's own
 * calls succeed (so the routes are there), and the negative control, the admin check switched off,
 * lets the same non-admin in. An admin's state-changing call from another site is refused like
 * any other. What admins do is covered in test/http/admin.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rawRequest } from "./raw-http.ts";
import { ALICE, BOB, bearer, call, startTarget, type TargetApp } from "./setup.ts";

/** Every admin route, with a body where it takes one (valid, and not: a non-admin must not tell the difference). */
const ADMIN_REQUESTS: [string, string, unknown?][] = [
  ["GET", "/admin"],
  ["GET", "/admin.html"],
  ["GET", "/api/admin/users"],
  ["GET", "/api/admin/users?days=7"],
  ["GET", "/api/admin/users?days=nope"],
  ["GET", "/api/admin/generations"],
  ["DELETE", "/api/admin/generations/some-stream-id"],
  ["POST", "/api/admin/sign-outs", { user: "alice" }],
  ["POST", "/api/admin/sign-outs", "{not json"],
  ["POST", "/api/admin/budgets", { user: "alice", tokens_per_day: 10, tokens_per_month: null }],
  ["GET", "/api/admin/audit"],
  ["GET", "/api/admin/audit?limit=1000"],
  ["GET", "/api/admin"],
  ["GET", "/api/admin/"],
  ["PATCH", "/api/admin/users"],
];

/** What a route that does not exist answers this caller: the reference an admin route must match. */
async function nowhere(app: TargetApp, token: string | undefined) {
  const answer = token ? await call(app, token, "GET", "/api/nowhere") : await call(app, "", "GET", "/api/nowhere");
  return { status: answer.status, text: answer.text };
}

let app: TargetApp;
beforeAll(async () => {
  app = await startTarget({ ADMIN_USERS: "alice" });
});
afterAll(() => app?.stop());

describe("to a user who is not an admin", () => {
  test("every admin route answers as a route that does not exist (404), whatever the method and body", async () => {
    const reference = await nowhere(app, BOB);
    expect(reference.status).toBe(404);
    for (const [method, path, body] of ADMIN_REQUESTS) {
      const answer = await call(app, BOB, method, path, body);
      expect([method, path, answer.status, answer.text]).toEqual([method, path, reference.status, reference.text]);
    }
  });

  test("nobody signed in gets what any route gets without a session (401); the page sends them to sign in", async () => {
    const reference = await nowhere(app, undefined);
    expect(reference.status).toBe(401);
    for (const [method, path, body] of ADMIN_REQUESTS.filter(([, path]) => path !== "/admin")) {
      const answer = await call(app, "", method, path, body);
      expect([method, path, answer.status, answer.text]).toEqual([method, path, reference.status, reference.text]);
    }
    const page = await rawRequest(app.port, "/admin");
    expect(page.status).toBe(303);
    expect(page.head).toMatch(/location: \/login\?return=%2Fadmin/i);
  });

  test("a user header naming an admin changes nothing (AUTH=token reads none)", async () => {
    const answer = await call(app, BOB, "GET", "/api/admin/users");
    expect(answer.status).toBe(404);
    const spoofed = await fetch(`${app.url}/api/admin/users`, {
      headers: { ...bearer(BOB), "x-forwarded-user": "alice", "remote-user": "alice" },
    });
    expect(spoofed.status).toBe(404);
  });
});

describe("to an admin (ADMIN_USERS)", () => {
  test("the same routes answer: the 404s above come from the admin check, not from missing routes", async () => {
    expect((await call(app, ALICE, "GET", "/api/admin/users")).status).toBe(200);
    expect((await call(app, ALICE, "GET", "/api/admin/generations")).status).toBe(200);
    expect((await call(app, ALICE, "GET", "/api/admin/audit")).status).toBe(200);
    expect((await call(app, ALICE, "GET", "/api/admin/users?days=nope")).json.error.field).toBe("days");
    expect((await call(app, ALICE, "POST", "/api/admin/sign-outs", "{not json")).status).toBe(400);
    expect((await call(app, ALICE, "DELETE", "/api/admin/generations/some-stream-id")).status).toBe(404);
  });

  test("a state-changing admin call from another site is refused (403 cross_site)", async () => {
    const headers = { ...bearer(ALICE), "content-type": "application/json", "sec-fetch-site": "cross-site" };
    const body = JSON.stringify({ user: "bob" });
    const response = await fetch(`${app.url}/api/admin/sign-outs`, { method: "POST", headers, body });
    expect(response.status).toBe(403);
    const audit = await call(app, ALICE, "GET", "/api/admin/audit");
    expect(audit.json.entries).toEqual([]);
  });
});

describe("negative control: with the cross-site check off", () => {
  let open: TargetApp;
  beforeAll(async () => {
    open = await startTarget({ ADMIN_USERS: "alice" }, { defencesOff: ["crossSite"] });
  });
  afterAll(() => open?.stop());

  test("the admin's cross-site call goes through", async () => {
    const headers = { ...bearer(ALICE), "content-type": "application/json", "sec-fetch-site": "cross-site" };
    const body = JSON.stringify({ user: "bob" });
    expect((await fetch(`${open.url}/api/admin/sign-outs`, { method: "POST", headers, body })).status).toBe(200);
  });
});

describe("negative control: with the admin check off", () => {
  let open: TargetApp;
  beforeAll(async () => {
    open = await startTarget({ ADMIN_USERS: "alice" }, { defencesOff: ["adminOnly"] });
  });
  afterAll(() => open?.stop());

  test("the same non-admin reads every user and signs an admin out everywhere", async () => {
    expect((await call(open, BOB, "GET", "/api/admin/users")).status).toBe(200);
    const signOut = await call(open, BOB, "POST", "/api/admin/sign-outs", { user: "alice" });
    expect(signOut.status).toBe(200);
    expect(signOut.json.user).toBe("alice");
  });
});
