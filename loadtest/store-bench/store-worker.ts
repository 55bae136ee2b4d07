/**
 * What the storage worker costs and what it saves: the round trip of store calls made directly
 * on the calling thread and through the worker proxy, and how long the calling thread is blocked
 * by one write that waits for another connection's lock. Runs under the runtime that runs it:
 *
 *   bun loadtest/store-bench/store-worker.ts
 *   deno run -A loadtest/store-bench/store-worker.ts
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore } from "../../src/conversations/sqlite.ts";
import { openWorkerStore } from "../../src/conversations/sqlite-worker-proxy.ts";
import type { ConversationStore } from "../../src/conversations/store.ts";

const calls = 2_000;
// Every conversation belongs to a user; the benchmark is one.
const OWNER = "bench";
const runtime = "Deno" in globalThis ? "deno" : "bun";

/** Mean microseconds per call of `get` and of one exchange (begin + finish), one call at a time. */
async function roundTrips(store: ConversationStore) {
  const { id } = await store.create(OWNER);
  let started = performance.now();
  for (let index = 0; index < calls; index++) await store.get(OWNER, id);
  const get = ((performance.now() - started) * 1000) / calls;
  started = performance.now();
  for (let index = 0; index < calls / 4; index++) {
    const streamId = `s${index}`;
    await store.beginExchange(OWNER, id, { streamId, userContent: `q${index}`, title: "t" });
    await store.finishExchange(OWNER, id, { streamId, content: "a", status: "complete" });
  }
  const exchange = ((performance.now() - started) * 1000) / (calls / 4);
  return { get_us: Math.round(get), exchange_us: Math.round(exchange) };
}

/**
 * How long the event loop stalls while a create waits for a write lock another process holds for
 * `holdMs` (hold-write-lock.ts): a timer due every 5 ms measures its own lateness.
 */
async function stallDuringLock(store: ConversationStore, path: string, holdMs: number) {
  const script = join(import.meta.dirname ?? ".", "hold-write-lock.ts");
  const args = [path, String(holdMs), "0", String(holdMs)];
  const holder = spawn(process.execPath, runtime === "deno" ? ["run", "-A", script, ...args] : [script, ...args]);
  const exited = new Promise((resolve) => holder.once("exit", resolve));
  await new Promise((resolve) => holder.stdout.once("data", resolve));
  let worst = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last - 5);
    last = now;
  }, 5);
  await store.create(OWNER);
  await new Promise((resolve) => setTimeout(resolve, 50));
  clearInterval(ticker);
  await exited;
  return Math.round(worst);
}

for (const [label, open] of [
  ["direct", openSqliteStore],
  ["worker", openWorkerStore],
] as const) {
  const dir = mkdtempSync(join(tmpdir(), "sluice-bench-"));
  const store = (await open(dir)) as ConversationStore;
  const trips = await roundTrips(store);
  const stall = await stallDuringLock(store, join(dir, "sluice.db"), 1_000);
  console.log(JSON.stringify({ runtime, store: label, ...trips, event_loop_stall_ms_during_1s_lock: stall }));
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
