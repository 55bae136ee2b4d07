/**
 * Each `/sim fault=…` as the official `openai` client experiences it, and as the simulator
 * counts it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { fetchSimStats } from "../../harness/client/sim-stats.ts";
import { type Started, startSimulator } from "../../harness/stack/spawn.ts";
import { openAIClient, resetStats, streamText, userMessage, waitForStats } from "./support.ts";

let sim: Started;
let client: OpenAI;
beforeAll(async () => {
  sim = await startSimulator({ SIM_TTFT_MS: "5", SIM_TOKENS_PER_SECOND: "500" });
  client = openAIClient(sim.url);
});
afterAll(() => sim?.stop());
beforeEach(() => resetStats(sim.url));

/** The error `promise` rejects with; fails the test if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection, got a clean end");
}

describe("status:NNN", () => {
  for (const status of [429, 500, 503]) {
    test(`${status} becomes an APIError with that status`, async () => {
      const error = await rejection(streamText(client, `/sim fault=status:${status}\nHi`));
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(status);
      expect((error as InstanceType<typeof OpenAI.APIError>).message).toContain(`Simulated fault: status ${status}`);
    });
  }

  test("429 carries retry-after: 1", async () => {
    const response = await fetch(`${sim.url}/v1/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ stream: true, messages: userMessage("/sim fault=status:429\nHi") }),
    });
    expect(response.headers.get("retry-after")).toBe("1");
    expect((await response.json()).error.code).toBe("rate_limit_exceeded");
    expect(await fetchSimStats(sim.url)).toMatchObject({ started: 1, failed: 1, active: 0 });
  });
});

describe("drop:N", () => {
  test("the client gets a connection error after N tokens, not a clean end", async () => {
    const tokens: string[] = [];
    const error = await rejection(
      (async () => {
        const stream = await client.chat.completions.create({
          model: "demo",
          messages: userMessage("/sim tokens=20 fault=drop:3\nHi"),
          stream: true,
        });
        for await (const chunk of stream) {
          const delta = chunk.choices[0]?.delta;
          if (delta?.content && delta.role === undefined) tokens.push(delta.content);
        }
      })(),
    );
    expect(error).not.toBeInstanceOf(OpenAI.APIError);
    expect(String(error)).toMatch(/ECONNRESET|closed|reset|terminated|error reading/i);
    expect(tokens).toHaveLength(3);
    expect(await waitForStats(sim.url, (stats) => stats.failed === 1)).toMatchObject({ completed: 0, active: 0 });
  });

  test("past the end it still drops, before the closing chunk", async () => {
    await rejection(streamText(client, "/sim tokens=4 fault=drop:100\nHi"));
  });
});

describe("hang", () => {
  test("no byte until the client's timeout; the simulator counts the cancel", async () => {
    const started = performance.now();
    const error = await rejection(
      openAIClient(sim.url, 300).chat.completions.create(
        { model: "demo", messages: userMessage("/sim fault=hang\nHi"), stream: true },
        { headers: { "x-request-id": "hang-1" } },
      ),
    );
    expect(error).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    expect(performance.now() - started).toBeGreaterThanOrEqual(280);
    const stats = await waitForStats(sim.url, (s) => s.cancelled === 1);
    expect(stats).toMatchObject({ started: 1, cancelled: 1, active: 0 });
    expect(stats.cancellations).toEqual([{ request_id: "hang-1", seen_at_ms: expect.any(Number), tokens_sent: 0 }]);
  });
});

describe("malformed:N", () => {
  test("the client fails to parse the chunk after N tokens", async () => {
    const error = await rejection(streamText(client, "/sim tokens=10 fault=malformed:2\nHi"));
    expect(error).toBeInstanceOf(SyntaxError);
    expect(await waitForStats(sim.url, (stats) => stats.failed === 1)).toMatchObject({ completed: 0 });
  });
});

describe("stall:N:MS", () => {
  test("after N tokens a silence of at least MS, then the rest", async () => {
    const sentAt = performance.now();
    const stream = await client.chat.completions.create({
      model: "demo",
      messages: userMessage("/sim ttft_ms=0 tps=20 tokens=6 fault=stall:3:400\nHi"),
      stream: true,
    });
    const arrivals: number[] = [];
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta?.content) arrivals.push(performance.now());
    }
    expect(arrivals).toHaveLength(6);
    const gaps = arrivals.slice(1).map((at, i) => at - (arrivals[i] as number));
    // Token 4 is due 3 intervals (50 ms) and the silence after the request: measured from before it
    // was sent, so a late read of token 3 on a busy machine cannot shorten the silence seen.
    expect((arrivals[3] as number) - sentAt).toBeGreaterThanOrEqual(3 * 50 + 400 - 5);
    expect(gaps[2]).toBeGreaterThanOrEqual(250);
    expect(Math.max(...gaps.filter((_, i) => i !== 2))).toBeLessThan(300);
    expect(await fetchSimStats(sim.url)).toMatchObject({ completed: 1, failed: 0 });
  });
});

describe("the same faults without streaming", () => {
  const complete = (content: string, timeoutMs?: number) =>
    openAIClient(sim.url, timeoutMs).chat.completions.create({ model: "demo", messages: userMessage(content) });

  test("status, drop, malformed and hang each fail the way a stream does", async () => {
    const status = await rejection(complete("/sim fault=status:502\nHi"));
    expect((status as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    const drop = await rejection(complete("/sim tokens=5 fault=drop:2\nHi"));
    expect(drop).not.toBeInstanceOf(OpenAI.APIError);
    expect(String(drop)).toMatch(/ECONNRESET|closed|reset|terminated|error reading/i);
    expect(await rejection(complete("/sim tokens=5 fault=malformed:2\nHi"))).toBeInstanceOf(SyntaxError);
    expect(await rejection(complete("/sim fault=hang\nHi", 200))).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    expect(await waitForStats(sim.url, (s) => s.cancelled === 1)).toMatchObject({ started: 4, failed: 3, active: 0 });
  });
});
