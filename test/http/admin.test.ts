/**
 * What an admin does, over real sockets with the app on the runtime under test: the users with
 * their storage and last activity; the generations running now and Stop on another user's; sign
 * a user out everywhere (every session of theirs, not only one); the audit log of each action, as
 * a row (newest first, paged) and one server log line. The page itself is served to admins only
 * by its route, never as a file.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { callJson } from "../../harness/client/api.ts";
import { answerStored, createConversation, sendMessage } from "../../harness/client/conversations.ts";
import { eventually } from "../../harness/client/poll.ts";
import { freshDataDir, type Started, startApp } from "../../harness/stack/spawn.ts";

const ALICE = "alice-admin-token-0001";
const BOB = "bob-plain-token-000002";
let app: Started;

beforeAll(async () => {
  app = await startApp({ AUTH: "token", AUTH_TOKENS: `alice:${ALICE},bob:${BOB}`, ADMIN_USERS: "alice" });
});
afterAll(() => app?.stop());

const as = (token: string) => ({ token, timeoutMs: 10_000 });
const admin = (method: string, path: string, body?: unknown) => callJson(app.url, method, path, body, as(ALICE));

/** A session cookie of bob's, from a token sign-in. */
async function bobSession(): Promise<string> {
  const response = await fetch(`${app.url}/api/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token: BOB }),
  });
  return /sluice_session=[^;]+/.exec(response.headers.get("set-cookie") ?? "")?.[0] as string;
}

const sessionStatus = async (cookie: string) =>
  (await fetch(`${app.url}/api/conversations`, { headers: { cookie } })).status;

/** The audit log's newest entries. */
async function audit(query = "") {
  return (await admin("GET", `/api/admin/audit${query}`)).json.entries as {
    id: number;
    actor: string;
    action: string;
    target: string | null;
    details: Record<string, unknown>;
    address: string | null;
    at: number;
  }[];
}

describe("the users", () => {
  test("each with their conversations, stored bytes, last activity and tokens by day and model", async () => {
    const id = await createConversation(app.url, as(BOB));
    expect((await sendMessage(app.url, id, "/sim tokens=5\nhello", as(BOB))).status).toBe(202);
    await answerStored(app.url, id, as(BOB));
    const { status, json } = await admin("GET", "/api/admin/users?days=7");
    expect(status).toBe(200);
    // The server's own token accounting feeds the page.
    expect(json).toMatchObject({ usage_recorded: true, budgets_settable: true });
    expect(json.to).toBe(new Date().toISOString().slice(0, 10));
    const bob = json.users.find((user: { user: string }) => user.user === "bob");
    expect(bob).toMatchObject({ conversations: 1, budget: null });
    expect(bob.usage).toContainEqual(expect.objectContaining({ day: json.to, model: "demo" }));
    expect(bob.completion_tokens).toBeGreaterThan(0);
    expect(bob.stored_bytes).toBeGreaterThan(10);
    expect(Date.now() - Date.parse(bob.last_active_at)).toBeLessThan(60_000);
  });

  test("a budget set by an admin is bob's own (his usage says so), listed, audited; null returns to the default", async () => {
    const body = { user: "bob", tokens_per_day: 1000, tokens_per_month: null };
    expect((await admin("POST", "/api/admin/budgets", body)).status).toBe(200);
    const usage = await callJson(app.url, "GET", "/api/usage", undefined, as(BOB));
    expect(usage.json.budget.day).toMatchObject({ limit: 1000 });
    const listed = (await admin("GET", "/api/admin/users")).json.users.find(
      (user: { user: string }) => user.user === "bob",
    );
    expect(listed.budget).toEqual({ tokens_per_day: 1000, tokens_per_month: null });
    expect((await audit())[0]).toMatchObject({ action: "set_budget", target: "bob", actor: "alice" });
    await admin("POST", "/api/admin/budgets", { user: "bob", tokens_per_day: null, tokens_per_month: null });
    const after = (await admin("GET", "/api/admin/users")).json.users.find(
      (user: { user: string }) => user.user === "bob",
    );
    expect(after.budget).toBeNull();
  });
});

describe("the generations running now", () => {
  test("lists another user's; Stop ends it (stored as cancelled), audited; a second Stop is a 404", async () => {
    const id = await createConversation(app.url, as(BOB));
    const started = await sendMessage(app.url, id, "/sim tps=10 tokens=400\nkeep talking", as(BOB));
    const streamId = started.json.streamId as string;
    const listed = await admin("GET", "/api/admin/generations");
    expect(listed.json.generations).toContainEqual(
      expect.objectContaining({ id: streamId, owner: "bob", model: "demo" }),
    );
    const stopped = await admin("DELETE", `/api/admin/generations/${streamId}`);
    expect(stopped.status).toBe(200);
    expect(stopped.json).toMatchObject({ id: streamId, owner: "bob" });
    const conversation = await answerStored(app.url, id, as(BOB));
    expect(conversation.messages.at(-1)?.status).toBe("cancelled");
    expect((await admin("DELETE", `/api/admin/generations/${streamId}`)).status).toBe(404);
    expect(await eventually(async () => !(await admin("GET", "/api/admin/generations")).text.includes(streamId))).toBe(
      true,
    );
    const [entry] = await audit();
    expect(entry).toMatchObject({ actor: "alice", action: "stop_generation", target: "bob", address: "127.0.0.1" });
    expect(entry?.details).toMatchObject({ id: streamId, model: "demo" });
  });
});

describe("sign a user out everywhere", () => {
  test("ends every session of theirs, not only one; a new sign-in works; others keep theirs; audited and logged", async () => {
    const [first, second] = [await bobSession(), await bobSession()];
    const alice = (await fetch(`${app.url}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: ALICE }),
    }).then((response) => /sluice_session=[^;]+/.exec(response.headers.get("set-cookie") ?? "")?.[0])) as string;
    expect([await sessionStatus(first), await sessionStatus(second)]).toEqual([200, 200]);
    const signedOut = await admin("POST", "/api/admin/sign-outs", { user: "bob" });
    expect(signedOut.status).toBe(200);
    expect(signedOut.json.user).toBe("bob");
    expect([await sessionStatus(first), await sessionStatus(second)]).toEqual([401, 401]);
    expect(await sessionStatus(alice)).toBe(200);
    await Bun.sleep(5);
    expect(await sessionStatus(await bobSession())).toBe(200);
    const [entry] = await audit();
    expect(entry).toMatchObject({ actor: "alice", action: "sign_out_everywhere", target: "bob", details: {} });
    const line = app
      .output()
      .split("\n")
      .find((text) => text.includes('"msg":"admin action"') && text.includes('"action":"sign_out_everywhere"'));
    expect(JSON.parse(line ?? "{}")).toMatchObject({
      actor: "alice",
      target: "bob",
      outcome: "done",
      audit_id: entry?.id,
    });
  });

  test("a user name that is not one is refused naming the field", async () => {
    const answer = await admin("POST", "/api/admin/sign-outs", { user: "bob smith" });
    expect(answer.status).toBe(400);
    expect(answer.json.error.field).toBe("user");
  });
});

describe("after a restart", () => {
  test("a user signed out everywhere stays signed out (kept in DATA_DIR)", async () => {
    const env = {
      AUTH: "token",
      AUTH_TOKENS: `alice:${ALICE},bob:${BOB}`,
      ADMIN_USERS: "alice",
      DATA_DIR: freshDataDir(),
    };
    const first = await startApp(env);
    const signIn = await fetch(`${first.url}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: BOB }),
    });
    const cookie = /sluice_session=[^;]+/.exec(signIn.headers.get("set-cookie") ?? "")?.[0] as string;
    await callJson(first.url, "POST", "/api/admin/sign-outs", { user: "bob" }, as(ALICE));
    await first.stop();
    const second = await startApp(env);
    try {
      expect((await fetch(`${second.url}/api/conversations`, { headers: { cookie } })).status).toBe(401);
    } finally {
      await second.stop();
    }
  });
});

describe("the audit log", () => {
  test("newest first, a page at a time", async () => {
    for (const user of ["carol", "dave", "erin"]) await admin("POST", "/api/admin/sign-outs", { user });
    const newest = await audit("?limit=2");
    expect(newest.map((entry) => entry.target)).toEqual(["erin", "dave"]);
    const older = await audit(`?limit=2&before=${newest[1]?.id}`);
    expect(older[0]?.target).toBe("carol");
    expect((await admin("GET", "/api/admin/audit?limit=0")).json.error.field).toBe("limit");
  });
});

describe("the page", () => {
  test("is served to an admin by its route, with the CSP; never as a file", async () => {
    const page = await fetch(`${app.url}/admin`, { headers: { authorization: `Bearer ${ALICE}` } });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(await page.text()).toContain('<script src="/assets/admin.js" defer></script>');
    expect((await fetch(`${app.url}/admin.html`, { headers: { authorization: `Bearer ${ALICE}` } })).status).toBe(404);
  });
});
