import { afterAll, beforeAll, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { Elysia } from "elysia";
import { callJson } from "../../harness/client/api.ts";
import { freshDataDir } from "../../harness/stack/spawn.ts";
import { openSqliteStore, type SqliteConversationStore } from "../../src/conversations/sqlite.ts";
import { conversationRoutes } from "../../src/http/conversations.ts";
import { handleError } from "../../src/http/error-response.ts";
import { rememberRequester } from "../../src/http/requester.ts";

let dir = "";
let store: SqliteConversationStore;
let app: { handle(request: Request): Promise<Response> };

beforeAll(async () => {
  dir = freshDataDir();
  store = await openSqliteStore(dir);
  app = new Elysia().onError(handleError).use(conversationRoutes(store, { models: ["demo", "other"] }));
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The routes in process, with what the edge would have established: a signed-in user. */
function handle(request: Request): Promise<Response> {
  rememberRequester(request, { user: "alice", address: "127.0.0.1", limitKey: "user:alice" });
  return app.handle(request);
}

async function call(method: string, path: string, body?: unknown) {
  const answer = await callJson("http://localhost", method, path, body, { send: handle });
  return { ...answer, type: answer.headers.get("content-type") };
}

test("POST creates (201), GET reads it back with messages and the running stream", async () => {
  const created = await call("POST", "/api/conversations", { title: "  Weekend   plans " });
  expect(created.status).toBe(201);
  expect(created.json).toMatchObject({ title: "Weekend plans" });
  const read = await call("GET", `/api/conversations/${created.json.id}`);
  expect(read.status).toBe(200);
  expect(read.json).toMatchObject({ ...created.json, messages: [], running_stream_id: null, system_prompt: null });
  expect(read.json).toMatchObject({
    model: null,
    current_leaf_id: null,
    leaf_id: null,
    path_length: 0,
    next_cursor: null,
  });
});

test("POST without a body creates an untitled conversation", async () => {
  const created = await call("POST", "/api/conversations");
  expect(created.status).toBe(201);
  expect(created.json.title).toBeNull();
});

test("GET lists newest first with a cursor to the next page", async () => {
  for (let i = 0; i < 3; i++) await call("POST", "/api/conversations", { title: `page ${i}` });
  const first = await call("GET", "/api/conversations?limit=2");
  expect(first.status).toBe(200);
  expect(first.json.conversations).toHaveLength(2);
  expect(Object.keys(first.json.conversations[0]).sort()).toEqual(["created_at", "id", "title", "updated_at"]);
  expect(typeof first.json.next_cursor).toBe("string");
  const second = await call("GET", `/api/conversations?limit=2&before=${first.json.next_cursor}`);
  const ids = [...first.json.conversations, ...second.json.conversations].map((c: { id: string }) => c.id);
  expect(new Set(ids).size).toBe(4);
});

test("PATCH renames; DELETE removes (204), then 404", async () => {
  const { json } = await call("POST", "/api/conversations", {});
  const renamed = await call("PATCH", `/api/conversations/${json.id}`, { title: "Renamed" });
  expect(renamed.json.title).toBe("Renamed");
  expect((await call("DELETE", `/api/conversations/${json.id}`)).status).toBe(204);
  expect((await call("GET", `/api/conversations/${json.id}`)).status).toBe(404);
  expect((await call("DELETE", `/api/conversations/${json.id}`)).status).toBe(404);
});

test("an unknown id is a JSON 404 on every route", async () => {
  for (const [method, body] of [["GET"], ["PATCH", { title: "x" }], ["DELETE"]] as const) {
    const response = await call(method, "/api/conversations/no-such-id", body);
    expect(response.status).toBe(404);
    expect(response.type).toContain("application/json");
    expect(response.json.error.code).toBe("not_found");
  }
});

test("bad input is a 400 naming the field", async () => {
  const { json } = await call("POST", "/api/conversations", {});
  const cases: [string, string, unknown, string][] = [
    ["PATCH", `/api/conversations/${json.id}`, { title: "   " }, "title"],
    ["PATCH", `/api/conversations/${json.id}`, {}, "title"],
    ["PATCH", `/api/conversations/${json.id}`, { title: "x".repeat(201) }, "title"],
    ["POST", "/api/conversations", { title: 5 }, "title"],
    ["GET", "/api/conversations?limit=0", undefined, "limit"],
    ["GET", "/api/conversations?limit=abc", undefined, "limit"],
    ["GET", "/api/conversations?before=bogus", undefined, "before"],
  ];
  for (const [method, path, body, field] of cases) {
    const response = await call(method, path, body);
    expect({ path, body, status: response.status }).toEqual({ path, body, status: 400 });
    expect(response.json.error).toMatchObject({ code: "invalid_request", field });
  }
});

test("PATCH with a body that is not JSON is a 400", async () => {
  const { json } = await call("POST", "/api/conversations", {});
  const response = await call("PATCH", `/api/conversations/${json.id}`, "{not json");
  expect(response.status).toBe(400);
  expect(response.json.error.code).toBe("invalid_request");
});
