/**
 * One user's searches cannot starve another user's list: while bob floods the store with
 * searches over 3,200 long conversations, alice's list answers within a generous bound, and bob's
 * calls past his queue are refused at once with 429 store_busy. The negative control: with store
 * fairness off (one queue for everyone, in arrival order), the same list waits for bob's flood.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { freshDataDir } from "../../harness/stack/spawn.ts";
import { COMMON_WORDS, seedSqlite } from "../../loadtest/lib/seed-conversations.ts";
import { ALICE, BOB, bearer, startTarget, type TargetApp } from "./setup.ts";

// Bob's history as the attack had it; alice has a few conversations of her own.
const PLAN = [
  { owner: "bob", conversations: 3_200, promptChars: 8_000 },
  { owner: "alice", conversations: 20, promptChars: 200 },
];
// A flood far deeper than bob's queue (STORE_USER_QUEUE, 32 by default).
const FLOOD = 200;
// Fair: alice waits for at most one of bob's searches. Unfair: for all of them, some seconds.
const BOUND_MS = 1_500;

let dataDir = "";
beforeAll(async () => {
  dataDir = freshDataDir();
  await seedSqlite(dataDir, PLAN);
}, 120_000);
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Bob's flood of 12-word searches, and alice's list latencies while it runs. */
async function aliceDuringFlood(app: TargetApp) {
  const q = encodeURIComponent(COMMON_WORDS.join(" "));
  const flood = Array.from({ length: FLOOD }, async () => {
    const response = await fetch(`${app.url}/api/conversations?q=${q}`, {
      headers: bearer(BOB),
      signal: AbortSignal.timeout(300_000),
    });
    const body = await response.json();
    return { status: response.status, code: body.error?.code as string | undefined };
  });
  // Let the flood reach the store before alice asks.
  await Bun.sleep(300);
  const latencies: number[] = [];
  for (let index = 0; index < 3; index++) {
    const started = performance.now();
    const response = await fetch(`${app.url}/api/conversations`, {
      headers: bearer(ALICE),
      signal: AbortSignal.timeout(300_000),
    });
    expect(response.status).toBe(200);
    expect((await response.json()).conversations.length).toBe(20);
    latencies.push(performance.now() - started);
  }
  return { worst: Math.max(...latencies), bob: await Promise.all(flood) };
}

test("alice's list answers within the bound while bob floods the store; bob's excess is refused with 429", async () => {
  const app = await startTarget({ DATA_DIR: dataDir });
  try {
    const { worst, bob } = await aliceDuringFlood(app);
    expect(worst).toBeLessThan(BOUND_MS);
    expect(bob.filter((call) => call.status === 200).length).toBeGreaterThan(0);
    const refused = bob.filter((call) => call.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(new Set(refused.map((call) => call.code))).toEqual(new Set(["store_busy"]));
  } finally {
    await app.stop();
  }
}, 120_000);

test("the negative control: with store fairness off, alice's list waits for bob's flood", async () => {
  const app = await startTarget({ DATA_DIR: dataDir }, { defencesOff: ["storeFairness"] });
  try {
    const { worst, bob } = await aliceDuringFlood(app);
    expect(worst).toBeGreaterThan(BOUND_MS);
    expect(bob.every((call) => call.status === 200)).toBe(true);
  } finally {
    await app.stop();
  }
}, 300_000);
