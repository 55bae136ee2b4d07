/**
 * A conversation as a tree, for every backend: called from the shared suite (store-suite.ts), so
 * SQLite, the worker and PostgreSQL all run it. Regenerate and Edit add siblings and delete
 * nothing; the current leaf is stored; a path holds one branch only; deleting a branch is its own
 * call; Continue appends in place; each answer keeps its model; a long path is read in windows.
 */
import { expect, test } from "bun:test";
import type { ConversationStore, ExchangeStart } from "../../src/conversations/store.ts";
import { PREVIOUS_CHECKPOINT } from "./previous-schema.ts";

const OWNER = "alice";
let streams = 0;

/** One exchange: `start` (an Ask of `question` by default), then its answer `answer`. */
async function exchange(
  store: ConversationStore,
  id: string,
  question: string,
  answer: string,
  start: Partial<ExchangeStart> = {},
) {
  const streamId = `s${++streams}`;
  const begun = { streamId, userContent: question, title: question, ...start } as ExchangeStart;
  expect(await store.beginExchange(OWNER, id, begun)).toBe(true);
  await store.finishExchange(OWNER, id, { streamId, content: answer, status: "complete", model: "m1" });
}

const contents = async (store: ConversationStore, id: string, read = {}) =>
  (await store.get(OWNER, id, read))?.messages.map((m) => m.content);

/** A conversation of q1 → a1, then a second answer to q1 (Regenerate) and a sibling of q1 (Edit). */
async function branched(store: ConversationStore) {
  const { id } = await store.create(OWNER);
  await exchange(store, id, "q1", "a1");
  const [q1, a1] = (await store.get(OWNER, id))?.messages ?? [];
  await exchange(store, id, "", "a1b", { answers: q1?.id });
  return { id, q1: q1?.id as string, a1: a1?.id as string };
}

export function describeStoreTree(fresh: () => Promise<ConversationStore>): void {
  test("each message follows its parent: one branch, its last message the current leaf", async () => {
    const store = await fresh();
    const { id } = await store.create(OWNER);
    await exchange(store, id, "q1", "a1");
    await exchange(store, id, "q2", "a2");
    const read = await store.get(OWNER, id);
    const messages = read?.messages ?? [];
    expect(messages.map((m) => m.parent_id)).toEqual([null, ...messages.slice(0, -1).map((m) => m.id)]);
    expect(messages.map((m) => [m.sibling_position, m.sibling_count])).toEqual([
      [1, 1],
      [1, 1],
      [1, 1],
      [1, 1],
    ]);
    expect(read).toMatchObject({ current_leaf_id: messages[3]?.id, leaf_id: messages[3]?.id, path_length: 4 });
  });

  test("Regenerate adds a sibling answer, Edit a sibling question; nothing is deleted; siblings in written order", async () => {
    const store = await fresh();
    const { id, q1, a1 } = await branched(store);
    const afterRegenerate = (await store.get(OWNER, id))?.messages ?? [];
    expect(afterRegenerate.map((m) => m.content)).toEqual(["q1", "a1b"]);
    expect(afterRegenerate[1]).toMatchObject({ parent_id: q1, sibling_position: 2, sibling_count: 2 });
    expect(afterRegenerate[1]?.sibling_ids).toEqual([a1, afterRegenerate[1]?.id as string]);
    await exchange(store, id, "q1 edited", "a1c", { parentId: null });
    const afterEdit = (await store.get(OWNER, id))?.messages ?? [];
    expect(afterEdit.map((m) => m.content)).toEqual(["q1 edited", "a1c"]);
    expect(afterEdit[0]).toMatchObject({ parent_id: null, sibling_ids: [q1, afterEdit[0]?.id], sibling_position: 2 });
    expect((await store.tree(OWNER, id))?.nodes.map((node) => node.id)).toHaveLength(5);
  });

  test("switching shows the branch through any message, down to its newest leaf, to every reader", async () => {
    const store = await fresh();
    const { id, q1, a1 } = await branched(store);
    expect(await store.setCurrentLeaf(OWNER, id, a1)).toBe(a1);
    expect(await contents(store, id)).toEqual(["q1", "a1"]);
    // Through the question: its newest answer.
    expect(await store.setCurrentLeaf(OWNER, id, q1)).not.toBe(a1);
    expect(await contents(store, id)).toEqual(["q1", "a1b"]);
    // A read of another branch shows it without switching.
    expect(await contents(store, id, { leaf: a1 })).toEqual(["q1", "a1"]);
    expect((await store.get(OWNER, id))?.messages.at(-1)?.content).toBe("a1b");
    const refused = await store.setCurrentLeaf(OWNER, id, "not-a-message").catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: "not_found", status: 404 });
    expect(await store.setCurrentLeaf("bob", id, a1)).toBeUndefined();
    expect(await contents(store, id)).toEqual(["q1", "a1b"]);
  });

  test("an Ask goes after the current leaf: its path never holds another branch; a moved leaf is a 409", async () => {
    const store = await fresh();
    const { id, a1 } = await branched(store);
    await store.setCurrentLeaf(OWNER, id, a1);
    await exchange(store, id, "q2", "a2", { expectedLeaf: a1 });
    const path = (await store.get(OWNER, id))?.messages ?? [];
    expect(path.map((m) => m.content)).toEqual(["q1", "a1", "q2", "a2"]);
    expect(path[2]?.parent_id).toBe(a1);
    const stale = { streamId: "late", userContent: "q3", title: "q3", expectedLeaf: a1 };
    const refused = await store.beginExchange(OWNER, id, stale).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: "conversation_moved", status: 409 });
    expect((refused as { details?: unknown }).details).toEqual({ current_leaf_id: path[3]?.id });
    expect((await store.tree(OWNER, id))?.nodes).toHaveLength(5);
  });

  test("deleting a branch removes it and all below; the leaf moves to what is left; never while answering", async () => {
    const store = await fresh();
    const { id, q1, a1 } = await branched(store);
    await store.setCurrentLeaf(OWNER, id, a1);
    await exchange(store, id, "q2", "a2");
    expect(await store.deleteBranch(OWNER, id, a1)).toBe(true);
    expect(await contents(store, id)).toEqual(["q1", "a1b"]);
    expect((await store.tree(OWNER, id))?.nodes.map((node) => node.id)).not.toContain(a1);
    expect(await store.deleteBranch("bob", id, q1)).toBe(false);
    const missing = await store.deleteBranch(OWNER, id, a1).catch((error: unknown) => error);
    expect(missing).toMatchObject({ code: "not_found", status: 404 });
    await store.beginExchange(OWNER, id, { streamId: "running", userContent: "q3", title: "q3" });
    const busy = await store.deleteBranch(OWNER, id, q1).catch((error: unknown) => error);
    expect(busy).toMatchObject({ code: "conversation_busy", status: 409 });
    await store.finishExchange(OWNER, id, { streamId: "running", content: "a3", status: "complete" });
    expect(await store.deleteBranch(OWNER, id, q1)).toBe(true);
    expect(await store.get(OWNER, id)).toMatchObject({ messages: [], current_leaf_id: null });
  });

  test("Continue appends to the answer in place, figures summed; only a cut-off leaf answer", async () => {
    const store = await fresh();
    const { id } = await store.create(OWNER);
    const cut = { ttft_ms: 50, total_ms: 400, completion_tokens: 10, finish_reason: "length" as const };
    await store.beginExchange(OWNER, id, { streamId: "s1", userContent: "q", title: "q" });
    await store.finishExchange(OWNER, id, { streamId: "s1", content: "Once upon", status: "complete", figures: cut });
    const answer = (await store.get(OWNER, id))?.messages[1]?.id as string;
    await store.beginExchange(OWNER, id, { streamId: "s2", title: "q", continues: answer, model: "m2" });
    expect(await store.get(OWNER, id)).toMatchObject({ running_stream_id: "s2", running_continues_id: answer });
    const rest = { ttft_ms: 30, total_ms: 200, completion_tokens: 5, finish_reason: "stop" as const };
    const end = { streamId: "s2", content: " a time.", status: "complete" as const, figures: rest, model: "m2" };
    await store.finishExchange(OWNER, id, { ...end, continues: answer });
    const [, continued] = (await store.get(OWNER, id))?.messages ?? [];
    expect(continued).toMatchObject({ id: answer, content: "Once upon a time.", status: "complete", model: "m2" });
    expect(continued?.figures).toEqual({ ttft_ms: 50, total_ms: 600, completion_tokens: 15, finish_reason: "stop" });
    const again = await store
      .beginExchange(OWNER, id, { streamId: "s3", title: "q", continues: answer })
      .catch((error: unknown) => error);
    expect(again).toMatchObject({ status: 400, field: "continue" });
  });

  test("a continuation cut off by a crash keeps its checkpoint, appended; a Regenerate's, a sibling", async () => {
    const store = await fresh();
    const { id } = await store.create(OWNER);
    await store.beginExchange(OWNER, id, { streamId: "s1", userContent: "q", title: "q" });
    await store.finishExchange(OWNER, id, { streamId: "s1", content: "Once", status: "cancelled" });
    const [question, answer] = (await store.get(OWNER, id))?.messages ?? [];
    await store.beginExchange(OWNER, id, { streamId: "s2", title: "q", continues: answer?.id as string });
    await store.checkpointAnswers([{ conversationId: id, streamId: "s2", content: " upon" }]);
    expect(await store.recoverInterrupted(["s2"])).toBe(1);
    expect((await store.get(OWNER, id))?.messages[1]).toMatchObject({ content: "Once upon", status: "interrupted" });
    await store.beginExchange(OWNER, id, { streamId: "s3", title: "q", answers: question?.id as string, model: "m3" });
    await store.checkpointAnswers([{ conversationId: id, streamId: "s3", content: "Another" }]);
    expect(await store.recoverInterrupted(["s3"])).toBe(1);
    const path = (await store.get(OWNER, id))?.messages ?? [];
    expect(path[1]).toMatchObject({ content: "Another", status: "interrupted", model: "m3", sibling_count: 2 });
  });

  test("each answer keeps the model that wrote it; the conversation keeps its chosen one", async () => {
    const store = await fresh();
    const { id } = await store.create(OWNER);
    await exchange(store, id, "q", "a", { model: "m1" });
    expect((await store.get(OWNER, id))?.messages.map((m) => m.model)).toEqual([undefined, "m1"]);
    expect(await store.setModel(OWNER, id, "m2")).toBe(true);
    expect((await store.get(OWNER, id))?.model).toBe("m2");
    expect(await store.setModel("bob", id, "m3")).toBe(false);
    expect(await store.setModel(OWNER, id, null)).toBe(true);
    expect((await store.get(OWNER, id))?.model).toBeNull();
  });

  test("an answer keeps its tool steps (a continuation's after them), counted in usage; a conversation its choice of tools", async () => {
    const store = await fresh();
    const { id } = await store.create(OWNER);
    const step = {
      call_id: "c1",
      name: "t__fast",
      arguments: '{"q":1}',
      status: "ok" as const,
      result: "<b>",
      offset: 2,
    };
    expect(await store.beginExchange(OWNER, id, { streamId: "st1", userContent: "q", title: "q" })).toBe(true);
    const before = (await store.usage(OWNER)).bytes;
    const figures = { ttft_ms: 1, total_ms: 2, completion_tokens: 1, finish_reason: "length" as const };
    const end = { streamId: "st1", content: "ab", status: "complete" as const, figures, toolSteps: [step] };
    await store.finishExchange(OWNER, id, end);
    const [, answer] = (await store.get(OWNER, id))?.messages ?? [];
    expect(answer?.tool_steps).toEqual([step]);
    expect((await store.usage(OWNER)).bytes - before).toBe(2 + JSON.stringify([step]).length);
    await store.beginExchange(OWNER, id, { streamId: "st2", title: "q", continues: answer?.id as string });
    const later = { ...step, call_id: "c2", offset: 1 };
    await store.finishExchange(OWNER, id, { streamId: "st2", content: "cd", status: "complete", toolSteps: [later] });
    const steps = (await store.get(OWNER, id))?.messages[1]?.tool_steps;
    expect(steps?.map((s) => [s.call_id, s.offset])).toEqual([
      ["c1", 2],
      ["c2", 3],
    ]);
    expect((await store.get(OWNER, id))?.tools).toBeNull();
    expect(await store.setTools(OWNER, id, false)).toBe(true);
    expect((await store.get(OWNER, id))?.tools).toBe(false);
    expect(await store.setTools("bob", id, true)).toBe(false);
    expect(await store.setTools(OWNER, id, true)).toBe(true);
    expect((await store.tree(OWNER, id))?.conversation.tools).toBe(true);
    // A running answer's steps are checkpointed with its text, and kept when a crash cuts it.
    await store.beginExchange(OWNER, id, { streamId: "st3", userContent: "q3", title: "q" });
    const running = { ...step, call_id: "c3", status: "cancelled" as const, result: "" };
    await store.checkpointAnswers([{ conversationId: id, streamId: "st3", content: "so far", toolSteps: [running] }]);
    expect(await store.recoverInterrupted(["st3"])).toBe(1);
    const cut = (await store.get(OWNER, id))?.messages.at(-1);
    expect(cut).toMatchObject({ content: "so far", status: "interrupted", tool_steps: [running] });
  });

  test("a long path is read in windows: newest first by count and bytes, older by cursor, a huge one cut", async () => {
    const store = await fresh();
    const { id } = await store.create(OWNER);
    for (let i = 1; i <= 5; i++) await exchange(store, id, `q${i}`, i === 3 ? "é".repeat(600) : `a${i}`);
    const newest = await store.get(OWNER, id, { limit: 4 });
    expect(newest?.messages.map((m) => m.content)).toEqual(["q4", "a4", "q5", "a5"]);
    expect(newest?.path_length).toBe(10);
    const older = await store.get(OWNER, id, { limit: 4, before: newest?.next_cursor ?? "" });
    expect(older?.messages.map((m) => m.content.slice(0, 2))).toEqual(["q2", "a2", "q3", "éé"]);
    const oldest = await store.get(OWNER, id, { limit: 4, before: older?.next_cursor ?? "" });
    expect(oldest?.messages.map((m) => m.content)).toEqual(["q1", "a1"]);
    expect(oldest?.next_cursor).toBeNull();
    // By bytes: as many of the newest as fit; the 1,200-byte answer alone past the budget is cut,
    // at a character's edge, and marked with its whole size.
    const byBytes = await store.get(OWNER, id, { maxBytes: 1_205, before: newest?.messages[0]?.id });
    expect(byBytes?.messages.map((m) => m.content.slice(0, 2))).toEqual(["a2", "q3", "éé"]);
    expect(byBytes?.messages[2]?.full_bytes).toBeUndefined();
    const cut = await store.get(OWNER, id, { maxBytes: 1_001, before: newest?.messages[0]?.id });
    expect(cut?.messages).toHaveLength(1);
    expect(cut?.messages[0]).toMatchObject({ content: "é".repeat(500), full_bytes: 1_200 });
    const bad = await store.get(OWNER, id, { before: "not-a-message" }).catch((error: unknown) => error);
    expect(bad).toMatchObject({ status: 404 });
  });
}

/** What a store opened on previous-schema.ts's database must hold: every conversation one whole branch. */
export async function expectMigratedTrees(store: ConversationStore): Promise<void> {
  const finished = await store.get(OWNER, "old-1");
  expect(finished?.messages.map((m) => [m.id, m.parent_id, m.sibling_count])).toEqual([
    ["m1", null, 1],
    ["m2", "m1", 1],
    ["m3", "m2", 1],
    ["m4", "m3", 1],
  ]);
  expect(finished).toMatchObject({ current_leaf_id: "m4", path_length: 4, model: null, title: "Old chat" });
  const [, answer, question, failed] = finished?.messages ?? [];
  expect(answer?.figures).toEqual({ ttft_ms: 20, total_ms: 90, completion_tokens: 3, finish_reason: "stop" });
  expect(question?.images).toEqual([{ id: "img-1", media_type: "image/png", size: 64 }]);
  expect(failed).toMatchObject({ status: "error", error: { code: "upstream_error", retryable: true } });
  // The answer that was running when the old process died: interrupted, under its question, the leaf.
  const cut = await store.get(OWNER, "old-2");
  expect(cut?.messages.map((m) => [m.content, m.status, m.parent_id])).toEqual([
    ["tell me", "complete", null],
    [PREVIOUS_CHECKPOINT, "interrupted", "m5"],
  ]);
  expect(cut?.current_leaf_id).toBe(cut?.messages[1]?.id as string);
  expect(await store.get("bob", "old-3")).toMatchObject({ messages: [], current_leaf_id: null });
  // And it goes on as a tree: Retry of the failed answer, in its place.
  await exchange(store, "old-1", "q2", "a2", { expectedLeaf: "m4" });
  expect((await store.get(OWNER, "old-1"))?.messages.map((m) => m.content)).toEqual(["q1", "a1", "q2", "a2"]);
}
