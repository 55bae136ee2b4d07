/**
 * The admin routes with a usage recorder, in process (`app.handle`): its token usage by user, day
 * and model and its budgets come through the small interfaces of src/admin/admin-data.ts, here a
 * fake that records what it is asked, over a real SQLite store (activity and the audit log). The
 * routes check the admin themselves too: a non-admin who got past the edge still gets a 404.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { Elysia } from "elysia";
import { callJson } from "../../harness/client/api.ts";
import { freshDataDir } from "../../harness/stack/spawn.ts";
import { createAdmin } from "../../src/admin/admin.ts";
import type { BudgetOverride, UsageAdmin, UsageReportOptions, UserBudget } from "../../src/admin/admin-data.ts";
import { SessionSigner } from "../../src/auth/sessions.ts";
import { openSqliteStore, type SqliteConversationStore } from "../../src/conversations/sqlite.ts";
import { adminRoutes } from "../../src/http/admin.ts";
import { handleError } from "../../src/http/error-response.ts";
import { rememberRequester } from "../../src/http/requester.ts";

let dir = "";
let store: SqliteConversationStore;
let app: { handle(request: Request): Promise<Response> };
const asked: UsageReportOptions[] = [];
const budgets = new Map<string, BudgetOverride>([["carol", { tokens_per_day: 5_000, tokens_per_month: null }]]);

const usage: UsageAdmin = {
  usage: {
    async usageReport(options) {
      asked.push(options);
      return [
        { user: "bob", day: "2026-12-04", model: "demo", prompt_tokens: 10, completion_tokens: 20 },
        { user: "bob", day: "2026-12-03", model: "other", prompt_tokens: 1, completion_tokens: 2 },
        { user: "dave", day: "2026-12-04", model: "demo", prompt_tokens: 7, completion_tokens: 0 },
      ];
    },
  },
  budgets: {
    async budgets(): Promise<UserBudget[]> {
      return [...budgets].map(([user, budget]) => ({ user, ...budget }));
    },
    async setBudget(user, budget) {
      budgets.set(user, budget);
    },
  },
};

beforeAll(async () => {
  dir = freshDataDir();
  store = await openSqliteStore(dir);
  await store.create("bob", "bob's");
  const admin = createAdmin({
    store,
    sessions: new SessionSigner("a-secret-for-this-test-only", 60_000),
    running: { list: async () => [] },
    generations: { find: async () => undefined },
    usage,
  });
  app = new Elysia().onError(handleError).use(adminRoutes({ admin, publicDir: undefined, adminOnly: true }));
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A call as `user`, an admin or not, as the edge would have established. */
function call(method: string, path: string, body?: unknown, { user = "alice", admin = true } = {}) {
  const send = (request: Request) => {
    rememberRequester(request, { user, address: "10.0.0.9", limitKey: `user:${user}`, admin });
    return app.handle(request);
  };
  return callJson("http://localhost", method, path, body, { send });
}

test("users: storage, activity, usage by day and model with totals, and budgets, from all three sources", async () => {
  const { status, json } = await call("GET", "/api/admin/users?days=7");
  expect(status).toBe(200);
  expect(asked.at(-1)).toEqual({ from: json.from, to: json.to });
  expect(Date.parse(json.to) - Date.parse(json.from)).toBe(6 * 86_400_000);
  expect(json).toMatchObject({ usage_recorded: true, budgets_settable: true });
  expect(json.users.map((user: { user: string }) => user.user)).toEqual(["bob", "carol", "dave"]);
  expect(json.users[0]).toMatchObject({
    conversations: 1,
    prompt_tokens: 11,
    completion_tokens: 22,
    budget: null,
    usage: [
      { day: "2026-12-03", model: "other", prompt_tokens: 1, completion_tokens: 2 },
      { day: "2026-12-04", model: "demo", prompt_tokens: 10, completion_tokens: 20 },
    ],
  });
  expect(json.users[1]).toMatchObject({ conversations: 0, last_active_at: null, budget: { tokens_per_day: 5_000 } });
  expect(json.users[2]).toMatchObject({ prompt_tokens: 7, completion_tokens: 0 });
});

test("setting a budget goes to the recorder and into the audit log, with its values", async () => {
  const body = { user: "bob", tokens_per_day: 20_000, tokens_per_month: 300_000 };
  const { status, json } = await call("POST", "/api/admin/budgets", body);
  expect(status).toBe(200);
  expect(json).toEqual(body);
  expect(budgets.get("bob")).toEqual({ tokens_per_day: 20_000, tokens_per_month: 300_000 });
  const [entry] = await store.auditLog({ limit: 1 });
  expect(entry).toMatchObject({
    actor: "alice",
    action: "set_budget",
    target: "bob",
    address: "10.0.0.9",
    details: { tokens_per_day: 20_000, tokens_per_month: 300_000 },
  });
});

test("a budget that is not a whole number of tokens, or null, is refused naming the field; nothing is recorded", async () => {
  const before = (await store.auditLog({ limit: 100 })).length;
  for (const [field, value] of [
    ["tokens_per_day", -1],
    ["tokens_per_day", 1.5],
    ["tokens_per_month", "a lot"],
  ] as const) {
    const body = { user: "bob", tokens_per_day: null, tokens_per_month: null, [field]: value };
    const answer = await call("POST", "/api/admin/budgets", body);
    expect([field, answer.status, answer.json.error.field]).toEqual([field, 400, field]);
  }
  expect((await store.auditLog({ limit: 100 })).length).toBe(before);
});

test("the routes check the admin themselves: a non-admin past the edge gets the 404 of a missing route", async () => {
  for (const [method, path] of [
    ["GET", "/api/admin/users"],
    ["GET", "/api/admin/audit"],
    ["POST", "/api/admin/budgets"],
  ] as const) {
    const body = method === "POST" ? { user: "bob", tokens_per_day: 1, tokens_per_month: 1 } : undefined;
    const answer = await call(method, path, body, { user: "bob", admin: false });
    expect([path, answer.status, answer.json.error.code]).toEqual([path, 404, "not_found"]);
  }
});
