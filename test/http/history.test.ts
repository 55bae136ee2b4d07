/**
 * History lives on the server: with a conversation, the client sends only its new question and
 * the last message it saw; a stale view gets 409, and a conversation whose history is larger
 * than any request may be still answers.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { callJson } from "../../harness/client/api.ts";
import { answerStored, askAfter, readConversation } from "../../harness/client/conversations.ts";
import { type Started, startApp } from "../../harness/stack/spawn.ts";

let app: Started;
beforeAll(async () => {
  app = await startApp({ SIM_TTFT_MS: "0", SIM_TOKENS_PER_SECOND: "1000", MAX_CONTEXT_TOKENS: "20000" });
});
afterAll(() => app?.stop());

const post = (path: string, body: unknown) => callJson(app.url, "POST", path, body);
const thread = (id: string) => readConversation(app.url, id);
/** Asks `content` after `parentId` and waits for the answer to be stored. */
const ask = (id: string, content: string, parentId: string | null) => askAfter(app.url, id, content, parentId);

test("two clients on one conversation: the stale one gets 409, and nothing is stored for it", async () => {
  const { json: conversation } = await post("/api/conversations", {});
  expect((await ask(conversation.id, "/sim tokens=2\nQ1", null)).status).toBe(202);
  const seenByPhone = (await thread(conversation.id)).messages.at(-1)?.id ?? null;
  expect((await ask(conversation.id, "/sim tokens=2\nQ2", seenByPhone)).status).toBe(202);
  // The phone has not seen Q2/A2: its Q3 is refused rather than sent with a different history.
  const stale = await ask(conversation.id, "/sim tokens=2\nQ3", seenByPhone);
  expect(stale.status).toBe(409);
  expect(stale.json.error.code).toBe("conversation_moved");
  expect((await thread(conversation.id)).messages.map((m) => m.content.replace(/^\/sim[^\n]*\n/, ""))).toHaveLength(4);
});

test("a conversation with more than 1 MB of history still answers; the oldest turns are left out", async () => {
  const { json: conversation } = await post("/api/conversations", {});
  let parent: string | null = null;
  for (let i = 0; i < 12; i++) {
    expect((await ask(conversation.id, `/sim tokens=1\n${"long question ".repeat(7_500)}`, parent)).status).toBe(202);
    parent = (await thread(conversation.id)).messages.at(-1)?.id ?? null;
  }
  const history = (await thread(conversation.id)).messages.reduce((sum, m) => sum + m.content.length, 0);
  expect(history).toBeGreaterThan(1_048_576);
  const hi = await ask(conversation.id, "/sim tokens=3\nhi", parent);
  expect(hi.status).toBe(202);
  expect(hi.json.context.dropped).toBeGreaterThan(0);
  expect((await thread(conversation.id)).messages.at(-1)).toMatchObject({ role: "assistant" });
});

test("Regenerate and Edit as the page sends them add versions beside what they redo; nothing is deleted", async () => {
  const { json: conversation } = await post("/api/conversations", {});
  const id = conversation.id;
  await ask(id, "/sim tokens=2\nQ1", null);
  const afterQ1 = (await thread(id)).messages;
  await ask(id, "/sim tokens=2\nQ2", afterQ1.at(-1)?.id ?? null);
  const before = (await thread(id)).messages;
  // Regenerate: the same question after the message before it.
  const regenerated = await post("/api/chat", {
    conversationId: id,
    content: "/sim tokens=2\nQ2",
    parentId: before[1]?.id,
    replace: true,
  });
  expect(regenerated.status).toBe(202);
  await answerStored(app.url, id);
  const after = (await thread(id)).messages;
  expect(after.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
  expect(after[2]?.id).toBe(before[2]?.id as string);
  expect(after[3]?.sibling_ids).toEqual([before[3]?.id as string, after[3]?.id as string]);
  // Edit Q1: a new first question beside the old one, which keeps everything after it.
  const edited = await post("/api/chat", {
    conversationId: id,
    content: "/sim tokens=2\nQ1 edited",
    parentId: null,
    replace: true,
  });
  expect(edited.status).toBe(202);
  await answerStored(app.url, id);
  const shown = (await thread(id)).messages;
  expect(shown.map((m) => m.content.split("\n").at(-1))).toEqual(["Q1 edited", expect.any(String)]);
  expect(shown[0]?.sibling_ids).toEqual([before[0]?.id as string, shown[0]?.id as string]);
  const old = await callJson(app.url, "GET", `/api/conversations/${id}?leaf=${before[3]?.id}`);
  expect(old.json.messages.map((m: { id: string }) => m.id)).toEqual(before.map((m) => m.id));
  // A parent that is not a message of the conversation is a 404, no parent at all a 400: nothing changes.
  expect((await post("/api/chat", { conversationId: id, content: "x", parentId: "gone", replace: true })).status).toBe(
    404,
  );
  expect((await post("/api/chat", { conversationId: id, content: "x", replace: true })).status).toBe(400);
  expect((await thread(id)).messages).toEqual(shown);
});
