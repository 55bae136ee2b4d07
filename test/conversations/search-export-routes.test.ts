/**
 * Search and export over real sockets, with access control on: two users, each of whom must only
 * ever find and export their own conversations.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { askAfter } from "../../harness/client/conversations.ts";
import { safeFileStem } from "../../src/conversations/export.ts";
import { ALICE, BOB, bearer, call, startTarget, type TargetApp } from "../security/setup.ts";

let app: TargetApp;
let alicesTrip = "";
let bobsTrip = "";

/** A conversation of `token`'s user holding one finished exchange that starts with `question`. */
async function converse(token: string, title: string, question: string): Promise<string> {
  const { json } = await call(app, token, "POST", "/api/conversations", { title });
  expect((await askAfter(app.url, json.id, question, null, { token })).status).toBe(202);
  return json.id;
}

beforeAll(async () => {
  app = await startTarget();
  alicesTrip = await converse(ALICE, 'Trip / "plans" é', "Which ferries sail to Zanzibar in June?");
  bobsTrip = await converse(BOB, "Bob's trip", "Which ferries sail to Zanzibar in July?");
  await converse(ALICE, "Groceries", "Milk, eggs, bread");
});

afterAll(() => app?.stop());

const search = (token: string, q: string) => call(app, token, "GET", `/api/conversations?q=${encodeURIComponent(q)}`);

test("?q= returns only the caller's matching conversations, with a snippet", async () => {
  const alice = await search(ALICE, "zanzib");
  expect(alice.status).toBe(200);
  expect(alice.json.next_cursor).toBeNull();
  expect(alice.json.conversations.map((c: { id: string }) => c.id)).toEqual([alicesTrip]);
  expect(alice.json.conversations[0].snippet).toContain("Zanzibar in June");
  const bob = await search(BOB, "zanzibar");
  expect(bob.json.conversations.map((c: { id: string }) => c.id)).toEqual([bobsTrip]);
  // Negative control: the words are there, under the other user.
  expect((await search(BOB, "june")).json.conversations).toEqual([]);
  expect((await search(ALICE, "july")).json.conversations).toEqual([]);
});

test("a blank ?q= is the ordinary list; an over-long one is a 400 naming q", async () => {
  const blank = await search(ALICE, "  ");
  expect(blank.json.conversations).toHaveLength(2);
  const long = await search(ALICE, "x".repeat(201));
  expect(long.status).toBe(400);
  expect(long.json.error).toMatchObject({ code: "invalid_request", field: "q" });
});

async function download(token: string, id: string, format: string) {
  return fetch(`${app.url}/api/conversations/${id}/export?format=${format}`, {
    headers: bearer(token),
    signal: AbortSignal.timeout(10_000),
  });
}

test("export as Markdown is an attachment with a safe file name and every message", async () => {
  const response = await download(ALICE, alicesTrip, "md");
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("text/markdown; charset=utf-8");
  const disposition = response.headers.get("content-disposition") ?? "";
  expect(disposition).toStartWith("attachment; filename=\"Trip-plans-e.md\"; filename*=UTF-8''");
  expect(decodeURIComponent(disposition.split("''")[1] ?? "")).toBe('Trip "plans" é.md');
  const text = await response.text();
  expect(text).toStartWith('# Trip / "plans" é\n');
  expect(text).toContain("## You\n\nWhich ferries sail to Zanzibar in June?");
  expect(text).toContain("## Assistant\n\n");
});

test("export as JSON holds the conversation and its messages", async () => {
  const response = await download(ALICE, alicesTrip, "json");
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
  expect(response.headers.get("content-disposition")).toStartWith('attachment; filename="Trip-plans-e.json"');
  const body = await response.json();
  expect(body).toMatchObject({ id: alicesTrip, title: 'Trip / "plans" é' });
  expect(body.messages.map((m: { role: string }) => m.role)).toEqual(["user", "assistant"]);
  expect(Date.parse(body.exported_at)).toBeGreaterThan(0);
  expect(body.running_stream_id).toBeUndefined();
});

test("another user's conversation is a 404 to export; the owner's own is a 200", async () => {
  const stolen = await download(BOB, alicesTrip, "md");
  expect(stolen.status).toBe(404);
  expect((await stolen.json()).error.code).toBe("not_found");
  expect((await download(BOB, bobsTrip, "md")).status).toBe(200);
});

test("format is validated: a 400 naming format", async () => {
  for (const format of ["pdf", "", "MD"]) {
    const response = await download(ALICE, alicesTrip, format);
    expect({ format, status: response.status }).toEqual({ format, status: 400 });
    expect((await response.json()).error).toMatchObject({ code: "invalid_request", field: "format" });
  }
  const missing = await fetch(`${app.url}/api/conversations/${alicesTrip}/export`, { headers: bearer(ALICE) });
  expect(missing.status).toBe(400);
  expect((await missing.json()).error.field).toBe("format");
});

test("file names keep only safe characters and never start a hidden file or a path", () => {
  expect(safeFileStem("../../etc/passwd")).toBe("etc-passwd");
  expect(safeFileStem(".hidden")).toBe("hidden");
  expect(safeFileStem("Crème brûlée: how?")).toBe("Creme-brulee-how");
  expect(safeFileStem("日本語")).toBe("conversation");
  expect(safeFileStem(null)).toBe("conversation");
  expect(safeFileStem("a".repeat(300))).toHaveLength(80);
});
