/**
 * A client that goes away mid-stream must be noticed at once (the simulator stands in for a
 * paid model: every token after a disconnect is waste), counted once, and recorded; and the
 * pacing must be what the settings say.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { type Started, startSimulator } from "../../harness/stack/spawn.ts";
import { contentTokens, postChat, readEvents, resetStats, userMessage, waitForStats } from "./support.ts";

let sim: Started;
beforeAll(async () => {
  sim = await startSimulator({ SIM_TTFT_MS: "150", SIM_TOKENS_PER_SECOND: "50" });
});
afterAll(() => sim?.stop());
beforeEach(() => resetStats(sim.url));

/** Opens a stream, reads `tokens` content chunks, then aborts; returns when the abort happened (epoch ms). */
async function readThenDisconnect(requestId: string, tokens: number, stream = true): Promise<number> {
  const controller = new AbortController();
  const response = await fetch(`${sim.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-request-id": requestId },
    body: JSON.stringify({ stream, messages: userMessage("/sim ttft_ms=20 tps=50 tokens=500\nGo on") }),
    signal: controller.signal,
  });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = "";
  const deadline = setTimeout(() => controller.abort(), 5_000);
  // role chunk + `tokens` content chunks
  while (text.split("\n\n").length - 1 < 1 + tokens) {
    const { value, done } = await reader.read();
    if (done) throw new Error("stream ended early");
    text += decoder.decode(value, { stream: true });
  }
  clearTimeout(deadline);
  const abortedAt = performance.timeOrigin + performance.now();
  controller.abort();
  return abortedAt;
}

describe("client disconnect", () => {
  test("is seen within ~100 ms, counted once, and recorded", async () => {
    const abortedAt = await readThenDisconnect("disconnect-1", 3);
    const stats = await waitForStats(sim.url, (s) => s.cancelled >= 1);
    await Bun.sleep(150);
    const settled = await waitForStats(sim.url, () => true);
    expect(settled).toMatchObject({ started: 1, completed: 0, cancelled: 1, failed: 0, active: 0 });
    const [record] = stats.cancellations;
    expect(record?.request_id).toBe("disconnect-1");
    expect(record?.tokens_sent).toBeGreaterThanOrEqual(3);
    expect(record?.tokens_sent).toBeLessThan(10);
    const lagMs = (record?.seen_at_ms as number) - abortedAt;
    console.log(`disconnect seen after ${lagMs.toFixed(1)} ms`);
    // The same clock (epoch ms) on both sides of one machine; generous for a shared CI core.
    expect(lagMs).toBeGreaterThan(-20);
    expect(lagMs).toBeLessThan(500);
  });

  test("many disconnects are each counted once", async () => {
    await Promise.all(["many-1", "many-2", "many-3", "many-4"].map((id, i) => readThenDisconnect(id, 1 + i)));
    const stats = await waitForStats(sim.url, (s) => s.cancelled >= 4);
    await Bun.sleep(150);
    expect(await waitForStats(sim.url, () => true)).toMatchObject({ started: 4, cancelled: 4, active: 0 });
    expect(stats.cancellations.map((c) => c.request_id).sort()).toEqual(["many-1", "many-2", "many-3", "many-4"]);
  });

  test("a stream read to the end is completed, never a cancel (Deno aborts request.signal after success)", async () => {
    for (const stream of [true, false]) {
      const response = await postChat(sim.url, {
        stream,
        messages: userMessage("/sim ttft_ms=5 tps=500 tokens=5\nHi"),
      });
      await response.text();
    }
    await Bun.sleep(100);
    expect(await waitForStats(sim.url, () => true)).toMatchObject({
      started: 2,
      completed: 2,
      cancelled: 0,
      active: 0,
    });
  });

  test("a request without x-request-id gets a generated one", async () => {
    const response = await postChat(sim.url, { stream: true, messages: userMessage("/sim ttft_ms=5 tokens=2\nHi") });
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    await response.body?.cancel();
    const stats = await waitForStats(sim.url, (s) => s.cancelled + s.completed === 1);
    if (stats.cancelled === 1) expect(stats.cancellations[0]?.request_id).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("pacing", () => {
  test("first token after ttft_ms, then one every 1000/tps ms", async () => {
    const sentAt = performance.now();
    const response = await postChat(sim.url, { stream: true, messages: userMessage("/sim tokens=20\nPace") });
    const arrivals = await readEvents(response);
    const tokenTimes = arrivals.filter((a) => contentTokens([a]).length === 1).map((a) => a.at);
    expect(tokenTimes).toHaveLength(20);
    const ttft = (tokenTimes[0] as number) - sentAt;
    const spread = (tokenTimes[19] as number) - (tokenTimes[0] as number);
    console.log(`ttft ${ttft.toFixed(0)} ms (want 150), 19 intervals in ${spread.toFixed(0)} ms (want 380)`);
    expect(ttft).toBeGreaterThanOrEqual(140);
    expect(ttft).toBeLessThan(600);
    // The last token is due after the first and 19 intervals: measured from before the request, so a
    // late read of the first token on a busy machine cannot shorten it.
    expect((tokenTimes[19] as number) - sentAt).toBeGreaterThanOrEqual(150 + 19 * 20 - 5);
    expect(spread).toBeGreaterThanOrEqual(250);
    expect(spread).toBeLessThan(1_000);
  });

  test("a very high tps still delivers every token (several per timer tick)", async () => {
    const startedAt = performance.now();
    const response = await postChat(sim.url, {
      stream: true,
      messages: userMessage("/sim ttft_ms=0 tps=20000 tokens=2000\nFast"),
    });
    expect(contentTokens(await readEvents(response))).toHaveLength(2000);
    expect(performance.now() - startedAt).toBeLessThan(2_000);
  });
});
