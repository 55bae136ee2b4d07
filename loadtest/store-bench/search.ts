/**
 * Search over a large store: fills one SQLite store (in this process, no worker) with many users'
 * conversations, then prints the time of a search (p50, p99, max) for a rare word, a common
 * word and a prefix, and of the writes the search triggers maintain (a rename, a delete, an
 * exchange), so the cost of the index shows where it lands.
 *
 * Usage: bun loadtest/store-bench/search.ts [--conversations 20000] [--users 10] [--runs 200]
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { parseArgs } from "node:util";
import { percentileOf } from "../../harness/measure/percentile.ts";
import { freshDataDir } from "../../harness/stack/spawn.ts";
import { databaseFileName, openSqliteStore } from "../../src/conversations/sqlite.ts";

const { values } = parseArgs({
  options: {
    // Conversations in the store, spread evenly over the users; each holds one question and answer.
    conversations: { type: "string", default: "20000" },
    users: { type: "string", default: "10" },
    // Timed repetitions of each operation.
    runs: { type: "string", default: "200" },
  },
});
const total = Number(values.conversations);
const users = Number(values.users);
const runs = Number(values.runs);

const words = ["river", "lantern", "harbor", "meadow", "copper", "window", "falcon", "cedar", "amber", "quiet"];
const sentence = (seed: number, length: number) =>
  Array.from({ length }, (_, i) => words[(seed * 7 + i * 3) % words.length]).join(" ");

const dir = freshDataDir();
// Filled in one transaction straight through SQL (the store's triggers index every row, as they
// do in use): a commit per row, as the store makes them, would time the disk, not the index.
await (await openSqliteStore(dir)).close();
const began = performance.now();
const db = new DatabaseSync(join(dir, databaseFileName));
const ids: string[] = [];
db.exec("BEGIN");
const addConversation = db.prepare(
  "INSERT INTO conversations (id, owner, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
);
const addMessage = db.prepare(
  "INSERT INTO messages (id, conversation_id, role, content, status, created_at) VALUES (?, ?, ?, ?, 'complete', ?)",
);
for (let i = 0; i < total; i++) {
  const id = crypto.randomUUID();
  ids.push(id);
  addConversation.run(id, `user${i % users}`, sentence(i, 4), i, i);
  // One conversation in a thousand holds the rare word.
  addMessage.run(crypto.randomUUID(), id, "user", `${sentence(i, 12)}${i % 1000 === 0 ? " zanzibar" : ""}`, i);
  addMessage.run(crypto.randomUUID(), id, "assistant", sentence(i + 1, 120), i);
}
db.exec("COMMIT");
db.close();
const store = await openSqliteStore(dir);
console.log(`filled ${total} conversations (${users} users) in ${((performance.now() - began) / 1000).toFixed(1)} s`);

async function timed(label: string, operation: (run: number) => Promise<unknown>): Promise<void> {
  const durations: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    await operation(run);
    durations.push(performance.now() - start);
  }
  const ms = (p: number) => percentileOf(durations, p).toFixed(2);
  console.log(`${label.padEnd(34)} p50 ${ms(50)} ms  p99 ${ms(99)} ms  max ${Math.max(...durations).toFixed(2)} ms`);
}

await timed("search, a rare word", () => store.search("user0", "zanzibar", 30));
await timed("search, a word in every message", () => store.search("user0", "river", 30));
await timed("search, two words, the last a prefix", () => store.search("user0", "copper fal", 30));
await timed("rename (re-indexes the title)", (run) =>
  store.rename(`user${run % users}`, ids[run] as string, `t ${run}`),
);
await timed("exchange (indexes two messages)", async (run) => {
  const id = ids[run] as string;
  const owner = `user${run % users}`;
  await store.beginExchange(owner, id, { streamId: `b${run}`, userContent: "one more", title: "x" });
  await store.finishExchange(owner, id, { streamId: `b${run}`, content: sentence(run, 120), status: "complete" });
});
await timed("delete (drops its index entries)", (run) =>
  store.delete(`user${run % users}`, ids[total - 1 - run] as string),
);
await store.close();
rmSync(dir, { recursive: true, force: true });
