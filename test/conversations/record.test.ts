import { beforeEach, expect, test } from "bun:test";
import type { GenerationOutcome } from "../../src/contract.ts";
import { recordExchange } from "../../src/conversations/record.ts";
import type { SqliteConversationStore } from "../../src/conversations/sqlite.ts";
import { sqliteStorePerTest } from "./sqlite-per-test.ts";

const currentStore = sqliteStorePerTest();
let store: SqliteConversationStore;
beforeEach(() => {
  store = currentStore();
});

/** A generation whose end the test decides. */
function generation(id: string) {
  let settle: (outcome: GenerationOutcome) => void = () => {};
  let fail: (error: Error) => void = () => {};
  const settled = new Promise<GenerationOutcome>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  return { id, settled, settle, fail, text: "", log: { length: 0 }, cancel() {} };
}

/** Records an exchange answered by a fake generation; returns both. */
async function record(conversationId: string, userMessage = "q") {
  let gen = generation("");
  const recorded = await recordExchange(store, {
    owner: OWNER,
    conversationId,
    userMessage,
    start: (streamId) => {
      gen = generation(streamId);
      return gen;
    },
  });
  return { recorded, gen };
}

const OWNER = "alice";
const usage = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 };
const timings = { ttft_ms: 10, total_ms: 20 };

test("the question is stored at once, the answer when the generation is done", async () => {
  const { id } = await store.create(OWNER);
  const { recorded, gen } = await record(id, "/sim tps=5\nHi there");
  if (!recorded) throw new Error("not recorded");
  const running = await store.get(OWNER, id);
  expect(running?.running_stream_id).toBe(gen.id);
  expect(running?.title).toBe("Hi there");
  gen.settle({ text: "Hello!", end: { id: 3, type: "done", finish_reason: "stop", usage, timings } });
  expect(await recorded.finished).toBe(true);
  const done = await store.get(OWNER, id);
  expect(done?.running_stream_id).toBeNull();
  expect(done?.messages.at(-1)).toMatchObject({ role: "assistant", content: "Hello!", status: "complete" });
});

test("Stop stores the text so far as cancelled", async () => {
  const { id } = await store.create(OWNER);
  const { recorded, gen } = await record(id);
  if (!recorded) throw new Error("not recorded");
  gen.settle({ text: "Hal", end: { id: 2, type: "done", finish_reason: "cancelled", usage, timings } });
  await recorded.finished;
  expect((await store.get(OWNER, id))?.messages.at(-1)).toMatchObject({ content: "Hal", status: "cancelled" });
});

test("an error keeps its code, message and whether a retry may help", async () => {
  const { id } = await store.create(OWNER);
  const { recorded, gen } = await record(id);
  if (!recorded) throw new Error("not recorded");
  gen.settle({
    text: "par",
    end: { id: 2, type: "error", code: "upstream_dropped", message: "the model stopped answering", retryable: true },
  });
  await recorded.finished;
  expect((await store.get(OWNER, id))?.messages.at(-1)).toMatchObject({
    content: "par",
    status: "error",
    error: { code: "upstream_dropped", message: "the model stopped answering", retryable: true },
  });
});

test("a generation that rejects still ends the exchange", async () => {
  const { id } = await store.create(OWNER);
  const { recorded, gen } = await record(id);
  if (!recorded) throw new Error("not recorded");
  gen.fail(new Error("bug"));
  expect(await recorded.finished).toBe(true);
  const conversation = await store.get(OWNER, id);
  expect(conversation?.running_stream_id).toBeNull();
  expect(conversation?.messages.at(-1)).toMatchObject({ status: "error", error: { code: "internal" } });
});

test("a conversation deleted while answering is not resurrected", async () => {
  const { id } = await store.create(OWNER);
  const { recorded, gen } = await record(id);
  if (!recorded) throw new Error("not recorded");
  await store.delete(OWNER, id);
  gen.settle({ text: "late", end: { id: 2, type: "done", finish_reason: "stop", usage, timings } });
  expect(await recorded.finished).toBe(false);
  expect(await store.get(OWNER, id)).toBeUndefined();
});

test("nothing is recorded for a conversation that does not exist", async () => {
  let started = false;
  const recorded = await recordExchange(store, {
    owner: OWNER,
    conversationId: "missing",
    userMessage: "q",
    start: (streamId) => {
      started = true;
      return generation(streamId);
    },
  });
  expect(recorded).toBeUndefined();
  expect(started).toBe(false);
});
