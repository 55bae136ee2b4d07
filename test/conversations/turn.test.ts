/**
 * The turn (conversations/turn.ts) against a real SQLite store, with a model call the test
 * answers: what the model is sent, what is stored, and that a refused turn stores nothing.
 */
import { beforeEach, expect, test } from "bun:test";
import type { FinishReason, GenerationOutcome, ModelMessage } from "../../src/contract.ts";
import type { NewImage } from "../../src/conversations/images.ts";
import type { SqliteConversationStore } from "../../src/conversations/sqlite.ts";
import { startTurn, type TurnRequest } from "../../src/conversations/turn.ts";
import type { ContinueSettings } from "../../src/settings/continuation.ts";
import { sqliteStorePerTest } from "./sqlite-per-test.ts";
import { pngBytes } from "./store-suite-extras.ts";

const OWNER = "alice";
const currentStore = sqliteStorePerTest();
let store: SqliteConversationStore;
beforeEach(() => {
  store = currentStore();
});

const usage = { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 };
let continuation: ContinueSettings = { mode: "instruction", instruction: "Go on." };
beforeEach(() => {
  continuation = { mode: "instruction", instruction: "Go on." };
});
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
async function turn(
  request: Partial<TurnRequest> & { conversationId: string; question: string },
  answer?: string,
  finish: FinishReason = "stop",
) {
  const deps = {
    store,
    context: { systemPrompt: "Be brief.", maxContextTokens: 10_000 },
    contextMaxImages: 4,
    continuation,
  };
  const started = await startTurn(
    deps,
    { owner: OWNER, images: [], ...request },
    {
      start: async (id, messages) => {
        sent.push(messages);
        const outcome: GenerationOutcome =
          answer === undefined
            ? { text: "", end: { id: 1, type: "error", ...failure } }
            : { text: answer, end: { id: 1, type: "done", finish_reason: finish, usage, timings } };
        return { id, settled: Promise.resolve(outcome), text: answer ?? "", log: { length: 0 }, cancel() {} };
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
  expect(started.context).toEqual({ messages: 4, dropped: 0, documents: [] });
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
  expect(contents(sent.at(-1))).toEqual(["Be brief.", "q1", "a1", "text+image_bytes"]);
  const messages = (await store.get(OWNER, id))?.messages ?? [];
  expect(messages.map((m) => [m.content, m.status, m.images?.length ?? 0])).toEqual([
    ["q1", "complete", 0],
    ["a1", "complete", 0],
    ["look", "complete", 1],
    ["a cat", "complete", 0],
  ]);
});

test("Regenerate answers the same question again beside its first answer; its images go again, nothing deleted", async () => {
  const { id } = await store.create(OWNER);
  await turn({ conversationId: id, question: "see", images: [image(2)], parentId: null }, "a dog");
  const [question, first] = (await store.get(OWNER, id))?.messages ?? [];
  // The page's Regenerate: the same question again after the message before it, with `replace`.
  await turn({ conversationId: id, question: "see", parentId: null, replace: true }, "a wolf");
  expect(contents(sent.at(-1))).toEqual(["Be brief.", "text+image_bytes"]);
  const regenerated = (await store.get(OWNER, id))?.messages ?? [];
  expect(regenerated.map((m) => m.content)).toEqual(["see", "a wolf"]);
  expect(regenerated[0]?.id).toBe(question?.id as string);
  expect(regenerated[1]?.sibling_ids).toEqual([first?.id as string, regenerated[1]?.id as string]);
  // By its id: the same.
  await turn({ conversationId: id, question: "", regenerate: question?.id }, "a fox");
  expect((await store.get(OWNER, id))?.messages[1]).toMatchObject({ content: "a fox", sibling_count: 3 });
});

test("Edit asks a new question beside the old one, keeping its images unless it sends its own", async () => {
  const { id } = await store.create(OWNER);
  await turn({ conversationId: id, question: "see", images: [image(2)], parentId: null }, "a dog");
  const [question] = (await store.get(OWNER, id))?.messages ?? [];
  await turn({ conversationId: id, question: "see, closer", parentId: null, replace: true }, "a wolf");
  const edited = (await store.get(OWNER, id))?.messages ?? [];
  expect(edited.map((m) => m.content)).toEqual(["see, closer", "a wolf"]);
  expect(edited[0]?.sibling_ids).toEqual([question?.id as string, edited[0]?.id as string]);
  expect(edited[0]?.images).toHaveLength(1);
  expect(edited[0]?.images?.[0]?.id).not.toBe(question?.images?.[0]?.id as string);
  await turn({ conversationId: id, question: "hear", images: [image(3)], parentId: null, replace: true }, "a bark");
  expect((await store.get(OWNER, id))?.messages.map((m) => m.content)).toEqual(["hear", "a bark"]);
  expect((await store.tree(OWNER, id))?.nodes).toHaveLength(6);
});

test("the model reads the path to its question: an answer on a branch switched away from never leaks", async () => {
  const { id } = await store.create(OWNER);
  await turn({ conversationId: id, question: "q1", parentId: null }, "a1");
  const [q1, a1] = (await store.get(OWNER, id))?.messages ?? [];
  await turn({ conversationId: id, question: "", regenerate: q1?.id }, "a1 again");
  await turn({ conversationId: id, question: "", regenerate: q1?.id }, "a1 once more");
  await store.setCurrentLeaf(OWNER, id, a1?.id as string);
  await turn({ conversationId: id, question: "q2", parentId: a1?.id }, "a2");
  expect(contents(sent.at(-1))).toEqual(["Be brief.", "q1", "a1", "q2"]);
  // A view from before the switch is stale.
  const stale = await turn({ conversationId: id, question: "q3", parentId: a1?.id }, "a3").catch((e: unknown) => e);
  expect(stale).toMatchObject({ code: "conversation_moved", status: 409 });
});

test("Continue sends the path, the partial answer and the instruction (or the answer last); the text is appended", async () => {
  const { id } = await store.create(OWNER);
  await turn({ conversationId: id, question: "q1", parentId: null }, "a1");
  const a1 = (await store.get(OWNER, id))?.messages[1]?.id;
  await turn({ conversationId: id, question: "tell", parentId: a1 }, "Once upon", "length");
  const cut = (await store.get(OWNER, id))?.messages[3];
  const started = await turn({ conversationId: id, question: "", continues: cut?.id }, " a time", "length");
  expect(started.continues).toBe(cut?.id as string);
  expect(contents(sent.at(-1))).toEqual(["Be brief.", "q1", "a1", "tell", "Once upon", "Go on."]);
  expect(sent.at(-1)?.at(-2)?.role).toBe("assistant");
  continuation = { mode: "prefill", instruction: "Go on." };
  await turn({ conversationId: id, question: "", continues: cut?.id }, " there was.");
  expect(contents(sent.at(-1))).toEqual(["Be brief.", "q1", "a1", "tell", "Once upon a time"]);
  const answer = (await store.get(OWNER, id))?.messages[3];
  expect(answer).toMatchObject({ id: cut?.id, content: "Once upon a time there was.", status: "complete" });
  expect(answer?.figures?.finish_reason).toBe("stop");
  // Finished by itself now: nothing more to continue.
  const done = await turn({ conversationId: id, question: "", continues: cut?.id }, "x").catch((e: unknown) => e);
  expect(done).toMatchObject({ status: 400, field: "continue" });
});

test("refused turns change nothing: no parent to replace after, an unknown one, a refusal to start, an empty question", async () => {
  const { id } = await store.create(OWNER);
  await turn({ conversationId: id, question: "q1", parentId: null }, "a1");
  const before = (await store.get(OWNER, id))?.messages;
  const refusal = (request: Partial<TurnRequest>) =>
    turn({ conversationId: id, question: "x", ...request }, "y").catch((error: unknown) => error);
  expect(await refusal({ replace: true })).toMatchObject({ status: 400, field: "parentId" });
  expect(await refusal({ replace: true, parentId: "gone" })).toMatchObject({ code: "not_found", status: 404 });
  expect(await refusal({ regenerate: "gone" })).toMatchObject({ code: "not_found", status: 404 });
  expect(await refusal({ continues: before?.[0]?.id })).toMatchObject({ status: 400, field: "continue" });
  expect(await refusal({ regenerate: before?.[1]?.id })).toMatchObject({ status: 400, field: "regenerate" });
  expect(await refusal({ question: " ", parentId: before?.at(-1)?.id })).toMatchObject({ field: "content" });
  expect(await refusal({ conversationId: "missing" })).toMatchObject({ status: 404 });
  const deps = {
    store,
    context: { systemPrompt: undefined, maxContextTokens: 10_000 },
    contextMaxImages: 0,
    continuation,
  };
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

test("a long path loads only its newest part that can fit the window; the rest counts as left out", async () => {
  const { id } = await store.create(OWNER);
  const long = "x".repeat(4_000);
  let parent: string | null = null;
  for (let i = 0; i < 20; i++) {
    await turn({ conversationId: id, question: `q${i} ${long}`, parentId: parent }, long);
    parent = (await store.get(OWNER, id))?.current_leaf_id ?? null;
  }
  const loaded: number[] = [];
  const messages = store.messages.bind(store);
  store.messages = (owner, conversationId, ids) => {
    loaded.push(ids.length);
    return messages(owner, conversationId, ids);
  };
  const started = await turn({ conversationId: id, question: "and now?", parentId: parent }, "done");
  // About nine turns of ~1,000 tokens fit 10,000; what may fit by size alone is loaded, not all 40.
  expect(loaded[0]).toBeLessThan(40);
  expect(loaded[0]).toBeGreaterThan(started.context.messages - 2);
  expect(started.context.dropped + started.context.messages - 2).toBe(40);
  expect(contents(sent.at(-1))?.at(-1)).toBe("and now?");
});
