/**
 * Continue over real sockets, on the runtime under test, with the built-in simulator: an answer
 * cut at `max_tokens` is marked so, Continue streams only the new text, and the stored answer is
 * then the whole answer the question gets uncut, in place; Stop and checkpoints work on it.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { callJson } from "../../harness/client/api.ts";
import {
  createConversation,
  readConversation,
  type StoredMessage,
  turnIn,
} from "../../harness/client/conversations.ts";
import { answerText, readStream } from "../../harness/client/stream.ts";
import { type Started, startApp } from "../../harness/stack/spawn.ts";

let app: Started;

beforeAll(async () => {
  app = await startApp({ SIM_TTFT_MS: "0", SIM_TOKENS_PER_SECOND: "1000" });
});
afterAll(() => app?.stop());

const call = (method: string, path: string, body?: unknown) => callJson(app.url, method, path, body);
const turn = (id: string, body: Record<string, unknown>) => turnIn(app.url, id, body);
/** The first exchange of conversation `id`, as stored: its question and its answer. */
const exchangeOf = async (id: string) =>
  (await readConversation(app.url, id)).messages as [StoredMessage, StoredMessage];
const answerOf = async (id: string) => (await exchangeOf(id))[1];

const QUESTION = "/sim tokens=12\nTell me a story";

test("Continue after a length cut-off: the stream carries the new text only, the answer is whole in place", async () => {
  const id = await createConversation(app.url);
  expect((await turn(id, { content: QUESTION, parentId: null, max_tokens: 5 })).status).toBe(202);
  const cut = await answerOf(id);
  expect(cut.figures).toMatchObject({ finish_reason: "length", completion_tokens: 5 });
  const started = await call("POST", "/api/chat", { conversationId: id, continue: cut.id });
  expect(started.status).toBe(202);
  expect(started.json).toMatchObject({ continuesId: cut.id, questionId: cut.parent_id });
  const streamed = await readStream(`${app.url}${started.json.streamUrl}`, { timeoutMs: 10_000 });
  const added = answerText(streamed.events);
  expect(added.length).toBeGreaterThan(0);
  expect(added.startsWith(cut.content)).toBe(false);
  let stored = cut;
  for (let i = 0; i < 200 && stored.content === cut.content; i++) {
    await Bun.sleep(25);
    stored = await answerOf(id);
  }
  expect(stored).toMatchObject({ id: cut.id, content: cut.content + added, sibling_count: 1 });
  expect(stored.figures).toMatchObject({ finish_reason: "stop", completion_tokens: 12 });
  // The same question answered uncut elsewhere: the same words.
  const other = await createConversation(app.url);
  await turn(other, { content: QUESTION, parentId: null });
  expect((await answerOf(other)).content).toBe(stored.content);
  // Finished by itself now: nothing to continue.
  const again = await call("POST", "/api/chat", { conversationId: id, continue: cut.id });
  expect(again.status).toBe(400);
  expect(again.json.error.field).toBe("continue");
});

test("a continuation can be stopped like any answer: the text so far is appended, and it can go on again", async () => {
  const id = await createConversation(app.url);
  await turn(id, { content: "/sim tokens=400 tps=50\nA long one", parentId: null, max_tokens: 3 });
  const cut = await answerOf(id);
  const started = await call("POST", "/api/chat", { conversationId: id, continue: cut.id });
  await Bun.sleep(300);
  expect((await call("DELETE", started.json.streamUrl)).status).toBe(200);
  let stored = cut;
  for (let i = 0; i < 200 && stored.status !== "cancelled"; i++) {
    await Bun.sleep(25);
    stored = await answerOf(id);
  }
  expect(stored.status).toBe("cancelled");
  expect(stored.content.startsWith(cut.content)).toBe(true);
  expect(stored.content.length).toBeGreaterThan(cut.content.length);
  expect((await turn(id, { continue: cut.id })).status).toBe(202);
});

test("Continue names an answer: a question, an unknown id or content beside it are refused", async () => {
  const id = await createConversation(app.url);
  await turn(id, { content: QUESTION, parentId: null, max_tokens: 2 });
  const [question, answer] = await exchangeOf(id);
  const refusals = [
    [{ continue: question.id }, 400, "continue"],
    [{ continue: "no-such-message" }, 404, undefined],
    [{ continue: answer.id, content: "more" }, 400, "continue"],
    [{ continue: answer.id, regenerate: question.id }, 400, "continue"],
  ] as const;
  for (const [body, status, field] of refusals) {
    const refused = await call("POST", "/api/chat", { conversationId: id, ...body });
    expect([body, refused.status, refused.json.error.field]).toEqual([body, status, field]);
  }
});
