/**
 * The turn (conversations/turn.ts) against a real SQLite store, with a model call the test
 * answers: what the model is sent, what is stored, and that a refused turn stores nothing.
 */
import { beforeEach, expect, test } from "bun:test";
import type { GenerationOutcome, ModelMessage } from "../../src/contract.ts";
import type { NewImage } from "../../src/conversations/images.ts";
import type { SqliteConversationStore } from "../../src/conversations/sqlite.ts";
import { startTurn, type TurnRequest } from "../../src/conversations/turn.ts";
import { sqliteStorePerTest } from "./sqlite-per-test.ts";
import { pngBytes } from "./store-suite-extras.ts";

const OWNER = "alice";
const currentStore = sqliteStorePerTest();
let store: SqliteConversationStore;
beforeEach(() => {
  store = currentStore();
});

const usage = { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 };
const timings = { ttft_ms: 1, total_ms: 2 };
const failure = { code: "upstream_error", message: "no", retryable: true };

/** What the model was sent by each turn, in order. */
let sent: ModelMessage[][] = [];
beforeEach(() => {
  sent = [];
});

/**
 * Asks `question` and lets the answer end at once: with `answer`'s text, or failed when it is
 * undefined. Resolves once the answer is stored.
 */
async function turn(request: Partial<TurnRequest> & { conversationId: string; question: string }, answer?: string) {
  const deps = { store, context: { systemPrompt: "Be brief.", maxContextTokens: 10_000 }, contextMaxImages: 4 };
  const started = await startTurn(
    deps,
    { owner: OWNER, images: [], ...request },
    {
      start: async (id, messages) => {
        sent.push(messages);
        const outcome: GenerationOutcome =
          answer === undefined
            ? { text: "", end: { id: 1, type: "error", ...failure } }
            : { text: answer, end: { id: 1, type: "done", finish_reason: "stop", usage, timings } };
        return { id, settled: Promise.resolve(outcome), text: answer ?? "", log: { tokenCount: 0 }, cancel() {} };
      },
    },
  );
  await waitUntilIdle(request.conversationId);
  return started;
}

/** Waits (bounded) until the conversation's answer is stored. */
async function waitUntilIdle(id: string) {
  for (let i = 0; i < 200 && (await store.get(OWNER, id))?.running_stream_id; i++) await Bun.sleep(10);
}

const contents = (messages: ModelMessage[] | undefined) =>
  messages?.map((m) => (typeof m.content === "string" ? m.content : m.content.map((p) => p.type).join("+")));
const image = (fill: number): NewImage => ({
  id: crypto.randomUUID(),
  media_type: "image/png",
  data: pngBytes(64, fill),
});

test("Ask: the conversation's instructions, the thread, the question; the exchange is stored", async () => {
  const { id } = await store.create(OWNER);
  await turn({ conversationId: id, question: "q1", parentId: null }, "a1");
  await store.setSystemPrompt(OWNER, id, "Answer in French.");
  const last = (await store.get(OWNER, id))?.messages.at(-1)?.id;
  const started = await turn({ conversationId: id, question: "q2", parentId: last }, "a2");
  expect(started.context).toEqual({ messages: 4, dropped: 0 });
  expect(contents(sent.at(-1))).toEqual(["Answer in French.", "q1", "a1", "q2"]);
  expect((await store.get(OWNER, id))?.messages.map((m) => m.content)).toEqual(["q1", "a1", "q2", "a2"]);
});

test("a stale view is 409 conversation_moved: no model call, nothing stored", async () => {
  const { id } = await store.create(OWNER);
  await turn({ conversationId: id, question: "q1", parentId: null }, "a1");
  const refused = await turn({ conversationId: id, question: "q2", parentId: null }, "a2").catch((e: unknown) => e);
  expect(refused).toMatchObject({ code: "conversation_moved", status: 409 });
  expect(sent).toHaveLength(1);
  expect((await store.get(OWNER, id))?.messages).toHaveLength(2);
});

test("Retry: the failed exchange is left out of the context and its question asked again with its images", async () => {
  const { id } = await store.create(OWNER);
  await turn({ conversationId: id, question: "q1", parentId: null }, "a1");
  const a1 = (await store.get(OWNER, id))?.messages.at(-1)?.id;
  await turn({ conversationId: id, question: "look", images: [image(1)], parentId: a1 });
  // The client saw the failed answer; Retry names the message before the failed exchange.
  await turn({ conversationId: id, question: "look", parentId: a1 }, "a cat");
  expect(contents(sent.at(-1))).toEqual(["Be brief.", "q1", "a1", "text+image_url"]);
  const messages = (await store.get(OWNER, id))?.messages ?? [];
  expect(messages.map((m) => [m.content, m.status, m.images?.length ?? 0])).toEqual([
    ["q1", "complete", 0],
    ["a1", "complete", 0],
    ["look", "complete", 1],
    ["a cat", "complete", 0],
  ]);
});

test("Regenerate keeps the replaced question's images under new ids; Edit replaces every later turn", async () => {
  const { id } = await store.create(OWNER);
  await turn({ conversationId: id, question: "see", images: [image(2)], parentId: null }, "a dog");
  const [question] = (await store.get(OWNER, id))?.messages ?? [];
  await turn({ conversationId: id, question: "see", parentId: null, replace: true }, "a wolf");
  const regenerated = (await store.get(OWNER, id))?.messages ?? [];
  expect(regenerated.map((m) => m.content)).toEqual(["see", "a wolf"]);
  expect(regenerated[0]?.images).toHaveLength(1);
  expect(regenerated[0]?.images?.[0]?.id).not.toBe(question?.images?.[0]?.id as string);
  expect(contents(sent.at(-1))).toEqual(["Be brief.", "text+image_url"]);
  await turn({ conversationId: id, question: "hear", images: [image(3)], parentId: null, replace: true }, "a bark");
  const edited = (await store.get(OWNER, id))?.messages ?? [];
  expect(edited.map((m) => m.content)).toEqual(["hear", "a bark"]);
});

test("refused turns change nothing: no parent to replace after, an unknown one, a refusal to start, an empty question", async () => {
  const { id } = await store.create(OWNER);
  await turn({ conversationId: id, question: "q1", parentId: null }, "a1");
  const before = (await store.get(OWNER, id))?.messages;
  const refusal = (request: Partial<TurnRequest>) =>
    turn({ conversationId: id, question: "x", ...request }, "y").catch((error: unknown) => error);
  expect(await refusal({ replace: true })).toMatchObject({ status: 400, field: "parentId" });
  expect(await refusal({ replace: true, parentId: "gone" })).toMatchObject({ code: "conversation_moved" });
  expect(await refusal({ question: " ", parentId: before?.at(-1)?.id })).toMatchObject({ field: "content" });
  expect(await refusal({ conversationId: "missing" })).toMatchObject({ status: 404 });
  const deps = { store, context: { systemPrompt: undefined, maxContextTokens: 10_000 }, contextMaxImages: 0 };
  const full = new Error("at the limit");
  const admitted = await startTurn(
    deps,
    { owner: OWNER, conversationId: id, question: "x", images: [], parentId: null, replace: true },
    {
      admit: () => Promise.reject(full),
      start: () => Promise.reject(new Error("never started")),
    },
  ).catch((error: unknown) => error);
  expect(admitted).toBe(full);
  expect(sent).toHaveLength(1);
  expect((await store.get(OWNER, id))?.messages).toEqual(before ?? []);
});
