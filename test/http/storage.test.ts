/**
 * Storage against the real app process and the standalone simulator (whose /sim/stats proves
 * which model calls ran): the question is stored before the call, a full store refuses with a
 * clear code and no call, a failure mid-answer cancels the call, one exchange at a time per
 * conversation, and another process's write lock does not stall the streams.
 */
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { spawn } from "bun";
import { createConversation, readConversation, sendMessage } from "../../harness/client/conversations.ts";
import { eventually } from "../../harness/client/poll.ts";
import { fetchSimStats } from "../../harness/client/sim-stats.ts";
import { readStream } from "../../harness/client/stream.ts";
import { freshDataDir, type Started, startApp, startSimulator } from "../../harness/stack/spawn.ts";

let simulator: Started;
const apps: Started[] = [];
beforeAll(async () => {
  simulator = await startSimulator({ SIM_TTFT_MS: "0", SIM_MAX_TOKENS: "100000" });
});
afterAll(() => simulator?.stop());
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.stop()));
});

async function app(env: Record<string, string> = {}) {
  const started = await startApp({
    UPSTREAM_BASE_URL: `${simulator.url}/v1`,
    MODEL: "demo",
    // Long answers on purpose: the store must fill before the answer ends.
    MAX_OUTPUT_TOKENS: "1000000",
    ...env,
  });
  apps.push(started);
  return started;
}

test("a full store refuses the question with 503 store_full, makes no model call, and logs the real cause", async () => {
  const sluice = await app({ STORE_MAX_BYTES: "65536" });
  const id = await createConversation(sluice.url);
  const before = await fetchSimStats(simulator.url);
  const refused = await sendMessage(sluice.url, id, `too big to store ${"x".repeat(300_000)}`);
  expect(refused.status).toBe(503);
  expect(refused.json.error.code).toBe("store_full");
  expect((await fetchSimStats(simulator.url)).started).toBe(before.started);
  expect(sluice.output()).toContain("database or disk is full");
  expect(sluice.output()).not.toContain("cannot rollback");
  // Negative control: a question that fits is stored and answered.
  const fits = await sendMessage(sluice.url, id, "/sim tokens=3\nsmall");
  expect(fits.status).toBe(202);
  const called = async () => (await fetchSimStats(simulator.url)).started === before.started + 1;
  expect(await eventually(called)).toBe(true);
}, 30_000);

test("a store that fills mid-answer ends the answer with store_full and cancels the model call", async () => {
  const sluice = await app({ STORE_MAX_BYTES: "131072", CHECKPOINT_MS: "100" });
  const id = await createConversation(sluice.url);
  const before = await fetchSimStats(simulator.url);
  const sent = await sendMessage(sluice.url, id, "/sim tps=3000 tokens=100000\nan endless answer");
  expect(sent.status).toBe(202);
  const read = await readStream(`${sluice.url}${sent.json.streamUrl}`, { timeoutMs: 20_000 });
  const last = read.events.at(-1);
  expect(last?.event).toBe("error");
  expect(JSON.parse(last?.data ?? "{}")).toMatchObject({ code: "store_full", retryable: true });
  // The abort reaches the model a moment after the viewer's error event.
  const cancelledOnce = async () => (await fetchSimStats(simulator.url)).cancelled === before.cancelled + 1;
  expect(await eventually(cancelledOnce)).toBe(true);
  const after = await fetchSimStats(simulator.url);
  expect(after.cancellations.map((seen) => seen.request_id)).toContain(sent.json.streamId);
}, 30_000);

test("a second exchange while one runs gets 409 conversation_busy and no model call", async () => {
  const sluice = await app();
  const id = await createConversation(sluice.url);
  const before = await fetchSimStats(simulator.url);
  const first = await sendMessage(sluice.url, id, "/sim tps=20 tokens=40\nfirst");
  expect(first.status).toBe(202);
  const second = await sendMessage(sluice.url, id, "second");
  expect(second.status).toBe(409);
  expect(second.json.error.code).toBe("conversation_busy");
  await Bun.sleep(300);
  expect((await fetchSimStats(simulator.url)).started).toBe(before.started + 1);
  await readStream(`${sluice.url}${first.json.streamUrl}`);
  const messages = (await readConversation(sluice.url, id)).messages;
  expect(messages.map((message) => `${message.role}:${message.status}`)).toEqual([
    "user:complete",
    "assistant:complete",
  ]);
  // Once the first has ended, the next is welcome.
  expect((await sendMessage(sluice.url, id, "/sim tokens=2\nthird")).status).toBe(202);
}, 30_000);

test("another process holding the write lock does not stall running streams", async () => {
  const dataDir = freshDataDir();
  const sluice = await app({ DATA_DIR: dataDir, CHECKPOINT_MS: "200" });
  const ids = await Promise.all([0, 1, 2, 3].map(() => createConversation(sluice.url)));
  const sent = await Promise.all(ids.map((id) => sendMessage(sluice.url, id, "/sim tps=20 tokens=80\nsteady")));
  const reads = sent.map((answer) => readStream(`${sluice.url}${answer.json.streamUrl}`, { timeoutMs: 20_000 }));
  // Holds the lock 1.5 s at a time: a store on the relaying thread would stall every stream that long.
  const holder = spawn(
    [process.execPath, "loadtest/store-bench/hold-write-lock.ts", join(dataDir, "sluice.db"), "1500", "20", "3500"],
    {
      stdout: "pipe",
    },
  );
  // Control: the pressure is real, a write of the app's own waits for the lock meanwhile.
  const reader = holder.stdout.getReader();
  await reader.read();
  const writeStarted = performance.now();
  await createConversation(sluice.url);
  expect(performance.now() - writeStarted).toBeGreaterThan(200);
  const gaps: number[] = [];
  for (const read of await Promise.all(reads)) {
    const tokens = read.events.filter((event) => event.event === "token");
    expect(read.events.at(-1)?.event).toBe("done");
    for (let index = 1; index < tokens.length; index++)
      gaps.push((tokens[index]?.at ?? 0) - (tokens[index - 1]?.at ?? 0));
  }
  await holder.exited;
  expect(holder.exitCode).toBe(0);
  // Generous (the paced gap is 50 ms; the benchmark gives the p99), yet below the 1.5 s a store
  // on the relaying thread would stall every stream for.
  expect(Math.max(...gaps)).toBeLessThan(1_000);
}, 60_000);
