/**
 * What an answer costs Redis in calls from the app, read from Redis's MONITOR. Besides the calls
 * that carry events (one per flush, shared by every answer running then), an answer makes a fixed
 * few: the per-user limits' check, its announcement (which also lists it as running), its viewer's
 * open-stream slot, and the releases at its end. Its end in the log (the expiries, its removal
 * from the running list) rides on the call that writes its last events, and the releases of
 * answers that end in the same turn are written together.
 *
 * The bounds fail on the layout before: fourteen calls per answer, alone or together (a MULTI for
 * the meta hash, the running list's add and remove, four expiries, a release per answer).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Redis } from "ioredis";
import { readStream } from "../../harness/client/stream.ts";
import { startTestRedis, type TestRedis } from "../../harness/stack/redis.ts";
import { type Started, startApp } from "../../harness/stack/spawn.ts";
import { startAnswer } from "./instances.ts";

const TOKEN = "alice-redis-calls-token-0001";
const ANSWER = "/sim tokens=12 tps=200\ncount the calls";

let redis: TestRedis;
let app: Started;
beforeAll(async () => {
  redis = await startTestRedis();
  app = await startApp({
    HOST: "127.0.0.1",
    AUTH: "token",
    AUTH_TOKENS: `alice:${TOKEN}`,
    REDIS_URL: redis.url,
    INSTANCE_ID: "calls-a",
    LIMIT_USER_CONCURRENT: "1000",
    LIMIT_USER_PER_MINUTE: "100000",
    LIMIT_USER_OPEN_STREAMS: "1000",
    SIM_TTFT_MS: "20",
  });
  // The scripts are loaded, the connections warm.
  await answer();
}, 60_000);
afterAll(async () => {
  await app?.stop();
  await redis?.stop();
});

/** Starts an answer and reads it to its end. */
async function answer(): Promise<void> {
  const streamId = await startAnswer(app, ANSWER, TOKEN);
  const read = await readStream(`${app.url}/api/streams/${streamId}`, { token: TOKEN });
  expect(read.events.at(-1)?.event).toBe("done");
}

interface Calls {
  /** The event-carrying script's calls (EVALSHA with no keys). */
  events: number;
  /** Every other call from the app, by command. */
  others: Map<string, number>;
}

/** The app's calls to Redis while `work` runs (not the lease's renewals, not the scripts' own commands). */
async function callsDuring(work: () => Promise<void>): Promise<Calls> {
  const monitor = await new Redis(redis.url).monitor();
  const calls: Calls = { events: 0, others: new Map() };
  monitor.on("monitor", (_time: string, args: string[], source: string) => {
    const [command = "", key = "", keyCount] = args.map((arg) => arg.toLowerCase());
    if (source === "lua" || key.startsWith("sluice:instance:")) return;
    if (command === "evalsha" && keyCount === "0") calls.events++;
    else calls.others.set(command, (calls.others.get(command) ?? 0) + 1);
  });
  try {
    await work();
    // The releases at the end of the last answer leave at the end of its turn.
    await Bun.sleep(300);
  } finally {
    monitor.disconnect();
  }
  return calls;
}

const total = (calls: Calls) => [...calls.others.values()].reduce((sum, count) => sum + count, 0);

test("an answer alone makes five calls besides its events", async () => {
  const answers = 10;
  const calls = await callsDuring(async () => {
    for (let index = 0; index < answers; index++) await answer();
  });
  console.log(`one at a time: ${total(calls) / answers} calls per answer besides its events`, calls.others);
  expect(calls.events).toBeGreaterThanOrEqual(answers);
  // The limits' check, the announcement, the open-stream slot, the two releases.
  expect(total(calls) / answers).toBeLessThanOrEqual(5);
}, 60_000);

test("answers ending together share their end's calls", async () => {
  const answers = 50;
  const calls = await callsDuring(async () => {
    await Promise.all(Array.from({ length: answers }, answer));
  });
  console.log(`${answers} together: ${total(calls) / answers} calls per answer besides the events`, calls.others);
  expect(total(calls) / answers).toBeLessThan(4.5);
}, 60_000);
