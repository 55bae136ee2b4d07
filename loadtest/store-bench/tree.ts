/**
 * What conversation trees cost the server: opening a conversation of 300 messages with 50
 * branches (the read a page makes to open it: the whole current path, or the window of its newest
 * messages; and a switch of branch), and planning a new question at the end of a deep path (the
 * tree, the path's messages, the context assembled to fit the model's window: all a turn does
 * before the model call). On SQLite in this process, and through the storage worker the server
 * runs it in. Prints p50, p99 and max of each, and the size of what a read serves.
 *
 * Usage: bun loadtest/store-bench/tree.ts [--messages 300] [--branches 50] [--depth 2000] [--runs 200]
 */
import { rmSync } from "node:fs";
import { parseArgs } from "node:util";
import { describeEnvironment, describeMachine } from "../../harness/measure/environment.ts";
import { percentileOf } from "../../harness/measure/percentile.ts";
import { freshDataDir } from "../../harness/stack/spawn.ts";
import { openSqliteStore } from "../../src/conversations/sqlite.ts";
import { openWorkerStore } from "../../src/conversations/sqlite-worker-proxy.ts";
import type { ConversationStore } from "../../src/conversations/store.ts";
import { planTurn } from "../../src/conversations/turn.ts";

const { values } = parseArgs({
  options: {
    // Messages of the branched conversation, its branches among them (Regenerate adds each).
    messages: { type: "string", default: "300" },
    branches: { type: "string", default: "50" },
    // Messages on the one path of the deep conversation.
    depth: { type: "string", default: "2000" },
    // Timed repetitions of each operation.
    runs: { type: "string", default: "200" },
    // The model's window for context assembly (MAX_CONTEXT_TOKENS; the server's default).
    "context-tokens": { type: "string", default: "8192" },
  },
});
const messages = Number(values.messages);
const branches = Number(values.branches);
const depth = Number(values.depth);
const runs = Number(values.runs);
const OWNER = "bench";

// Sizes of a chatty conversation: a short question, a few paragraphs of answer.
const QUESTION = "How would you lay out the next part of this, and why? ".repeat(4);
const ANSWER = "Here is one way to see it, step by step, with the reasons for each choice. ".repeat(20);

let streams = 0;
async function exchange(store: ConversationStore, id: string, start: object): Promise<void> {
  const streamId = `b${++streams}`;
  await store.beginExchange(OWNER, id, { streamId, title: "bench", userContent: QUESTION, ...start });
  await store.finishExchange(OWNER, id, { streamId, content: ANSWER, status: "complete", model: "demo" });
}

/** A conversation of `messages` messages: one long path, and `branches` second answers to its questions. */
async function branched(store: ConversationStore): Promise<{ id: string; leaf: string; branchLeaf: string }> {
  const { id } = await store.create(OWNER, "branched");
  for (let i = 0; i < (messages - branches) / 2; i++) await exchange(store, id, {});
  const found = await store.tree(OWNER, id);
  const leaf = found?.conversation.current_leaf_id as string;
  const questions = (found?.nodes ?? []).filter((node) => node.role === "user");
  for (let b = 0; b < branches; b++) {
    const question = questions[Math.floor((b * questions.length) / branches)];
    await exchange(store, id, { answers: question?.id });
  }
  const branchLeaf = (await store.tree(OWNER, id))?.conversation.current_leaf_id as string;
  await store.setCurrentLeaf(OWNER, id, leaf);
  return { id, leaf, branchLeaf };
}

async function deep(store: ConversationStore): Promise<{ id: string; leaf: string }> {
  const { id } = await store.create(OWNER, "deep");
  for (let i = 0; i < depth / 2; i++) await exchange(store, id, {});
  return { id, leaf: (await store.tree(OWNER, id))?.conversation.current_leaf_id as string };
}

async function timed(label: string, operation: (run: number) => Promise<unknown>): Promise<void> {
  const durations: number[] = [];
  let note = "";
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    const result = await operation(run);
    durations.push(performance.now() - start);
    if (typeof result === "string") note = result;
  }
  const ms = (p: number) => percentileOf(durations, p).toFixed(2);
  const max = Math.max(...durations).toFixed(2);
  console.log(
    `  ${label.padEnd(44)} p50 ${ms(50).padStart(6)} ms  p99 ${ms(99).padStart(6)} ms  max ${max} ms  ${note}`,
  );
}

const served = async (read: Promise<unknown>) => {
  const body = JSON.stringify(await read);
  return `(${(body.length / 1024).toFixed(0)} KiB served)`;
};

async function bench(name: string, store: ConversationStore): Promise<void> {
  const began = performance.now();
  const { id, leaf, branchLeaf } = await branched(store);
  const long = await deep(store);
  console.log(`${name} (filled in ${((performance.now() - began) / 1000).toFixed(1)} s):`);
  await timed(`open ${messages} messages, ${branches} branches: whole path`, () => served(store.get(OWNER, id)));
  await timed("  the newest 50 messages (?limit=50)", () => served(store.get(OWNER, id, { limit: 50 })));
  await timed("  the newest 64 KiB (?max_bytes=65536)", () => served(store.get(OWNER, id, { maxBytes: 65_536 })));
  await timed("switch branch (PATCH current_leaf_id)", async (run) => {
    await store.setCurrentLeaf(OWNER, id, run % 2 ? branchLeaf : leaf);
  });
  const deps = {
    store,
    context: { systemPrompt: undefined, maxContextTokens: Number(values["context-tokens"]) },
    contextMaxImages: 8,
    continuation: { mode: "instruction" as const, instruction: "Go on." },
  };
  const request = { owner: OWNER, conversationId: long.id, question: "And then?", images: [], parentId: long.leaf };
  await timed(`context for a question after ${depth} messages`, async () => {
    const { context } = await planTurn(deps, request);
    return `(${context.messages.length} sent, ${context.dropped} left out)`;
  });
  // Side by side: loading the whole path, which the turn's window spares it.
  const whole = (await store.tree(OWNER, long.id))?.nodes.map((node) => node.id) ?? [];
  await timed(`  for comparison: loading all ${depth} of them`, async () => {
    await store.messages(OWNER, long.id, whole);
  });
}

console.log(describeMachine(describeEnvironment(new URL("../../", import.meta.url).pathname)));
for (const [name, open] of [
  ["SQLite, in this process", openSqliteStore],
  ["SQLite, through the storage worker", openWorkerStore],
] as const) {
  const dir = freshDataDir();
  const store = await open(dir);
  try {
    await bench(name, store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
