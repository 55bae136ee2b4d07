/**
 * A conversation is a tree, over real sockets on the runtime under test: Regenerate adds versions,
 * switching back shows an answer intact and the next question's context is the path through it
 * (seen by a capturing upstream), a switch on one device is seen by another, a stale send is a
 * 409 naming the current leaf, the path reads in windows, a branch deletes on its own, and search
 * finds an answer on a branch not shown.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { conversationCalls } from "../../harness/client/conversations.ts";
import { startFakeModel } from "../../harness/fake-model.ts";
import { type Started, startApp } from "../../harness/stack/spawn.ts";

/** Each answer says which call it was: "answer 1", "answer 2", … */
const model = startFakeModel({ models: ["model"], answer: (_, index) => ["answer", ` ${index + 1}`] });
const sent = model.received as { messages: { content: unknown }[] }[];
let app: Started;
let client: ReturnType<typeof conversationCalls>;

beforeAll(async () => {
  app = await startApp({ HOST: "127.0.0.1", UPSTREAM_BASE_URL: model.baseUrl, MODEL: "model" });
  client = conversationCalls(app.url);
});
afterAll(async () => {
  await app?.stop();
  model.stop();
});

const texts = (messages: { content: unknown }[] | undefined) => messages?.map((m) => m.content);

/** A conversation holding Q1 and `answers` answers to it (the first asked, the rest regenerated). */
async function regenerated(answers: number) {
  const id = await client.create();
  expect((await client.turn(id, { content: "Q1", parentId: null })).status).toBe(202);
  const q1 = (await client.read(id)).messages[0].id as string;
  for (let i = 1; i < answers; i++) {
    // The page's form (the same question again after its parent, `replace`) and the explicit one.
    const body = i % 2 ? { content: "Q1", parentId: null, replace: true } : { regenerate: q1 };
    expect((await client.turn(id, body)).status).toBe(202);
  }
  return { id, q1, answers: (await client.read(id)).messages[1].sibling_ids as string[] };
}

test("Regenerate ×3, then back to answer 1: its text intact, and the next question reads the path through it", async () => {
  const calls = sent.length;
  const { id, answers } = await regenerated(4);
  expect(answers).toHaveLength(4);
  // Each Regenerate sent the question alone: no earlier answer in its context.
  for (const request of sent.slice(calls)) expect(texts(request.messages)).toEqual(["Q1"]);
  const first = `answer ${calls + 1}`;
  const switched = await client.call("PATCH", `/api/conversations/${id}`, { current_leaf_id: answers[0] });
  expect(switched.status).toBe(200);
  expect(switched.json.current_leaf_id).toBe(answers[0]);
  const shown = await client.read(id);
  expect(shown.messages[1]).toMatchObject({ id: answers[0], content: first, sibling_position: 1, sibling_count: 4 });
  expect((await client.turn(id, { content: "Q2", parentId: answers[0] })).status).toBe(202);
  expect(texts(sent.at(-1)?.messages)).toEqual(["Q1", first, "Q2"]);
  expect(texts((await client.read(id)).messages)).toEqual(["Q1", first, "Q2", `answer ${calls + 5}`]);
});

test("two devices: a switch on one is seen by the other, and a send from the stale view is a 409", async () => {
  const { id, answers } = await regenerated(2);
  // Two devices of one user: each reads and sends on its own.
  const phoneView = await client.read(id);
  expect(phoneView.current_leaf_id).toBe(answers[1]);
  expect((await client.call("PATCH", `/api/conversations/${id}`, { current_leaf_id: answers[0] })).status).toBe(200);
  const seen = await client.read(id);
  expect(seen.current_leaf_id).toBe(answers[0]);
  expect(seen.messages[1].id).toBe(answers[0]);
  const calls = sent.length;
  const stale = await client.turn(id, { content: "Q2", parentId: phoneView.messages[1].id });
  expect(stale.status).toBe(409);
  expect(stale.json.error).toMatchObject({ code: "conversation_moved", current_leaf_id: answers[0] });
  expect(sent.length).toBe(calls);
  expect((await client.read(id)).path_length).toBe(2);
  // Sent again from the view it was told of, it goes on from there.
  expect((await client.turn(id, { content: "Q2", parentId: answers[0] })).status).toBe(202);
});

test("the path reads in windows, newest first; one message whole; a branch deletes on its own", async () => {
  const { id, q1, answers } = await regenerated(2);
  await client.turn(id, { content: "Q2", parentId: answers[1] });
  const newest = await client.read(id, "?limit=2");
  expect(texts(newest.messages)).toEqual(["Q2", expect.stringMatching(/^answer/)]);
  expect(newest).toMatchObject({ path_length: 4, next_cursor: newest.messages[0].id });
  const older = await client.read(id, `?limit=2&before=${newest.next_cursor}`);
  expect(older.messages.map((m: { id: string }) => m.id)).toEqual([q1, answers[1]]);
  expect(older.next_cursor).toBeNull();
  const whole = await client.call("GET", `/api/conversations/${id}/messages/${answers[0]}`);
  expect(whole.json).toMatchObject({ id: answers[0], parent_id: q1, role: "assistant" });
  for (const [query, field] of [
    ["?limit=0", "limit"],
    ["?max_bytes=5", "max_bytes"],
    ["?leaf=../x", "leaf"],
  ]) {
    const refused = await client.call("GET", `/api/conversations/${id}${query}`);
    expect([query, refused.status, refused.json.error.field]).toEqual([query, 400, field]);
  }
  expect((await client.call("DELETE", `/api/conversations/${id}/messages/${answers[1]}`)).status).toBe(204);
  const after = await client.read(id);
  expect(after.messages.map((m: { id: string }) => m.id)).toEqual([q1, answers[0]]);
  expect((await client.call("DELETE", `/api/conversations/${id}/messages/${answers[1]}`)).status).toBe(404);
  // A 204 has no body at all, or Deno refuses the response.
  expect((await client.call("DELETE", `/api/conversations/${id}`)).status).toBe(204);
});

test("search finds an answer on a branch not shown, names it, and a switch to it opens that branch", async () => {
  const id = await client.create();
  await client.turn(id, { content: "Name a bird", parentId: null });
  const [question, first] = (await client.read(id)).messages;
  await client.turn(id, { regenerate: question.id });
  expect((await client.read(id)).messages[1].id).not.toBe(first.id);
  const found = await client.call("GET", `/api/conversations?q=${encodeURIComponent(first.content)}`);
  const hit = found.json.conversations.find((c: { id: string }) => c.id === id);
  expect(hit.message_id).toBe(first.id);
  await client.call("PATCH", `/api/conversations/${id}`, { current_leaf_id: hit.message_id });
  expect((await client.read(id)).messages[1].id).toBe(first.id);
});
