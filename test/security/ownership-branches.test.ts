/**
 * Each user keeps to their own branches: another user's message id is answered exactly like one
 * that does not exist (404), whether named in the other user's conversation or in one's own, on
 * every route that takes one: reading a path, switching, reading or deleting a message,
 * Regenerate, Continue and Edit. Each refusal is paired with the owner's own request, which
 * succeeds: the 404 is the ownership check, not a broken route.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { conversationCalls } from "../../harness/client/conversations.ts";
import { ALICE, BOB, startTarget, type TargetApp } from "./setup.ts";

let app: TargetApp;

let alice: ReturnType<typeof conversationCalls>;
let bob: ReturnType<typeof conversationCalls>;
/** Alice's conversation: a question cut off at two tokens, and its answer. */
let mine = { id: "", question: "", answer: "" };
/** Bob's own conversation, where he names Alice's ids. */
let his = "";

beforeAll(async () => {
  app = await startTarget();
  alice = conversationCalls(app.url, { token: ALICE });
  bob = conversationCalls(app.url, { token: BOB });
  const id = await alice.create();
  expect((await alice.turn(id, { content: "/sim tokens=6\nsecret plans", parentId: null, max_tokens: 2 })).status).toBe(
    202,
  );
  const [question, answer] = (await alice.read(id)).messages;
  mine = { id, question: question?.id as string, answer: answer?.id as string };
  his = await bob.create();
  expect((await bob.turn(his, { content: "/sim tokens=2\nmine", parentId: null })).status).toBe(202);
});
afterAll(() => app?.stop());

/** Bob's request is a 404 not_found exactly as for an id that never existed; Alice's own succeeds. */
async function refusedThenOwn(
  theirs: () => Promise<{ status: number; json: { error?: { code: string } } }>,
  madeUp: () => Promise<{ status: number; json: { error?: { code: string } } }>,
  own: () => Promise<{ status: number }>,
  ownStatus: number,
) {
  const refused = await theirs();
  expect(refused.status).toBe(404);
  expect(refused.json.error?.code).toBe("not_found");
  const unknown = await madeUp();
  expect([unknown.status, unknown.json.error?.code]).toEqual([refused.status, refused.json.error?.code]);
  expect((await own()).status).toBe(ownStatus);
}

const path = (conversation: string, query = "") => `/api/conversations/${conversation}${query}`;

test("another user's message ids read no path: not as a leaf, not as a cursor", async () => {
  await refusedThenOwn(
    () => bob.call("GET", path(his, `?leaf=${mine.answer}`)),
    () => bob.call("GET", path(his, "?leaf=never-a-message")),
    () => alice.call("GET", path(mine.id, `?leaf=${mine.answer}`)),
    200,
  );
  await refusedThenOwn(
    () => bob.call("GET", path(his, `?before=${mine.answer}`)),
    () => bob.call("GET", path(his, "?before=never-a-message")),
    () => alice.call("GET", path(mine.id, `?before=${mine.answer}`)),
    200,
  );
  expect((await bob.call("GET", path(mine.id, `?leaf=${mine.answer}`))).status).toBe(404);
});

test("another user's branch cannot be switched to, read whole, or deleted", async () => {
  await refusedThenOwn(
    () => bob.call("PATCH", path(his), { current_leaf_id: mine.answer }),
    () => bob.call("PATCH", path(his), { current_leaf_id: "never-a-message" }),
    () => alice.call("PATCH", path(mine.id), { current_leaf_id: mine.answer }),
    200,
  );
  expect((await bob.call("PATCH", path(mine.id), { current_leaf_id: mine.answer })).status).toBe(404);
  for (const where of [his, mine.id]) {
    await refusedThenOwn(
      () => bob.call("GET", path(where, `/messages/${mine.answer}`)),
      () => bob.call("GET", path(where, "/messages/never-a-message")),
      () => alice.call("GET", path(mine.id, `/messages/${mine.answer}`)),
      200,
    );
    const deleted = await bob.call("DELETE", path(where, `/messages/${mine.question}`));
    expect([where, deleted.status]).toEqual([where, 404]);
  }
  expect((await alice.read(mine.id)).messages.map((m: { id: string }) => m.id)).toEqual([mine.question, mine.answer]);
});

test("another user's question or answer cannot be regenerated, continued or edited after", async () => {
  const chat = (client: ReturnType<typeof conversationCalls>, conversationId: string, body: object) =>
    client.call("POST", "/api/chat", { conversationId, ...body });
  await refusedThenOwn(
    () => chat(bob, his, { continue: mine.answer }),
    () => chat(bob, his, { continue: "never-a-message" }),
    () => alice.turn(mine.id, { continue: mine.answer }),
    202,
  );
  await refusedThenOwn(
    () => chat(bob, his, { regenerate: mine.question }),
    () => chat(bob, his, { regenerate: "never-a-message" }),
    () => alice.turn(mine.id, { regenerate: mine.question }),
    202,
  );
  await refusedThenOwn(
    () => chat(bob, his, { content: "edit", parentId: mine.answer, replace: true }),
    () => chat(bob, his, { content: "edit", parentId: "never-a-message", replace: true }),
    () => alice.turn(mine.id, { content: "/sim tokens=2\nedit", parentId: mine.answer, replace: true }),
    202,
  );
  expect((await chat(bob, mine.id, { regenerate: mine.question })).status).toBe(404);
  // Nothing of Bob's requests reached Alice's tree: her question and answer (continued in place),
  // a second answer, and a question with its answer after the first: five messages, nothing more.
  expect((await alice.call("GET", path(mine.id, "/export?format=json"))).json.messages).toHaveLength(5);
});

test("nobody signed in: the message routes answer 401", async () => {
  for (const method of ["GET", "DELETE"]) {
    const response = await fetch(`${app.url}/api/conversations/x/messages/y`, { method });
    expect([method, response.status]).toEqual([method, 401]);
  }
});
