/**
 * The simulator's bytes on a real socket: OpenAI's streaming chunk shapes and order, the
 * non-streaming object, the models list, OpenAI-shaped errors, the stats routes.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { fetchSimStats } from "../../harness/client/sim-stats.ts";
import { type Started, startSimulator } from "../../harness/stack/spawn.ts";
import { contentTokens, postChat, readEvents, resetStats, userMessage } from "./support.ts";

let sim: Started;
beforeAll(async () => {
  sim = await startSimulator({ SIM_TTFT_MS: "5", SIM_TOKENS_PER_SECOND: "1000", SIM_MAX_TOKENS: "16" });
});
afterAll(() => sim?.stop());

const FAST = "/sim ttft_ms=5 tps=1000 tokens=6\n";

describe("streaming wire format", () => {
  test("role chunk first, content deltas, finish chunk, usage chunk, [DONE]", async () => {
    const response = await postChat(sim.url, {
      model: "demo",
      stream: true,
      stream_options: { include_usage: true },
      messages: userMessage(`${FAST}Tell me a story`),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toStartWith("text/event-stream");
    expect(response.headers.get("cache-control")).toBe("no-cache");
    const events = (await readEvents(response)).map((arrival) => arrival.data);
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((data) => JSON.parse(data));
    expect(chunks).toHaveLength(1 + 6 + 1 + 1);
    const [role, ...rest] = chunks;
    const { id, created } = role;
    expect(id).toMatch(/^chatcmpl-/);
    expect(role).toEqual({
      id,
      object: "chat.completion.chunk",
      created,
      model: "demo",
      choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }],
    });
    for (const chunk of rest.slice(0, 6)) {
      expect(chunk).toEqual({
        id,
        object: "chat.completion.chunk",
        created,
        model: "demo",
        choices: [{ index: 0, delta: { content: expect.any(String) }, finish_reason: null }],
      });
    }
    expect(rest[6].choices).toEqual([{ index: 0, delta: {}, finish_reason: "stop" }]);
    expect(rest[7]).toEqual({
      id,
      object: "chat.completion.chunk",
      created,
      model: "demo",
      choices: [],
      usage: { prompt_tokens: expect.any(Number), completion_tokens: 6, total_tokens: expect.any(Number) },
    });
    expect(rest[7].usage.total_tokens).toBe(rest[7].usage.prompt_tokens + 6);
  });

  test("without include_usage there is no usage chunk", async () => {
    const response = await postChat(sim.url, { stream: true, messages: userMessage(`${FAST}Hi`) });
    const events = (await readEvents(response)).map((arrival) => arrival.data);
    expect(events).toHaveLength(1 + 6 + 1 + 1);
    expect(JSON.parse(events.at(-2) as string).choices[0].finish_reason).toBe("stop");
  });

  test("words carry their leading space, like a real tokenizer's", async () => {
    const response = await postChat(sim.url, { stream: true, messages: userMessage(`${FAST}Spaces`) });
    const tokens = contentTokens(await readEvents(response));
    expect(tokens[0]).toMatch(/^[A-Z][a-z]+$/);
    for (const token of tokens.slice(1)) expect(token).toMatch(/^( [a-z]+|[.,]|\n\n| [A-Z][a-z]+|[A-Z][a-z]+)$/);
  });

  test("the request's model name is echoed back", async () => {
    const response = await postChat(sim.url, { model: "my-model", stream: true, messages: userMessage(`${FAST}x`) });
    const events = await readEvents(response);
    expect(JSON.parse(events[0]?.data as string).model).toBe("my-model");
  });
});

describe("non-streaming", () => {
  test("a chat.completion object with usage", async () => {
    const response = await postChat(sim.url, { messages: userMessage(`${FAST}Hello`) });
    expect(response.headers.get("content-type")).toStartWith("application/json");
    const body = await response.json();
    expect(body).toEqual({
      id: expect.stringMatching(/^chatcmpl-/),
      object: "chat.completion",
      created: expect.any(Number),
      model: "demo",
      choices: [{ index: 0, message: { role: "assistant", content: expect.any(String) }, finish_reason: "stop" }],
      usage: { prompt_tokens: expect.any(Number), completion_tokens: 6, total_tokens: expect.any(Number) },
    });
  });

  test("content parts (a question with images): the text parts are the prompt, images are accepted", async () => {
    const image = { type: "image_url", image_url: { url: `data:image/png;base64,${"A".repeat(4_000)}` } };
    const asText = await (await postChat(sim.url, { messages: userMessage("/echo what is this?") })).json();
    const parts = [{ type: "text", text: "/echo what is this?" }, image];
    const asParts = await (await postChat(sim.url, { messages: [{ role: "user", content: parts }] })).json();
    expect(asParts.choices[0].message.content).toBe("what is this?");
    // The same prompt count as the text alone: the image's base64 is not counted as words.
    expect(asParts.usage.prompt_tokens).toBe(asText.usage.prompt_tokens);
  });

  test("SIM_MAX_TOKENS is the default length", async () => {
    const body = await (await postChat(sim.url, { messages: userMessage("Hello") })).json();
    expect(body.usage.completion_tokens).toBe(16);
  });
});

describe("errors and other routes", () => {
  const cases: [string, unknown, string | null][] = [
    ["missing messages", { model: "demo" }, "messages"],
    ["empty messages", { messages: [] }, "messages"],
    ["messages not an array", { messages: "hi" }, "messages"],
    ["message without role", { messages: [{ content: "hi" }] }, "messages"],
    ["bad max_tokens", { messages: userMessage("hi"), max_tokens: 0 }, "max_tokens"],
    ["unknown /sim key", { messages: userMessage("/sim speed=3\nhi") }, "messages"],
    ["bad /sim fault", { messages: userMessage("/sim fault=explode\nhi") }, "messages"],
    ["not an object", [1, 2], null],
  ];
  for (const [name, body, param] of cases) {
    test(`400 for ${name}, OpenAI-shaped`, async () => {
      const response = await postChat(sim.url, body);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error: { message: expect.any(String), type: "invalid_request_error", param, code: null },
      });
    });
  }

  test("400 for a body that is not JSON", async () => {
    const response = await fetch(`${sim.url}/v1/chat/completions`, { method: "POST", body: "{nope" });
    expect(response.status).toBe(400);
    expect((await response.json()).error.type).toBe("invalid_request_error");
  });

  test("GET /v1/models lists demo, also under /sim", async () => {
    for (const path of ["/v1/models", "/sim/v1/models"]) {
      const body = await (await fetch(`${sim.url}${path}`)).json();
      expect(body).toEqual({
        object: "list",
        data: [{ id: "demo", object: "model", created: expect.any(Number), owned_by: "sluice" }],
      });
    }
  });

  test("unknown routes are a 404 in OpenAI's shape", async () => {
    const response = await fetch(`${sim.url}/v1/embeddings`, { method: "POST" });
    expect(response.status).toBe(404);
    expect((await response.json()).error.message).toContain("/v1/embeddings");
  });

  test("stats count requests and reset on POST /stats/reset and DELETE /sim/stats", async () => {
    await resetStats(sim.url);
    await (await postChat(sim.url, { messages: userMessage(`${FAST}one`) })).json();
    await (await postChat(sim.url, { messages: userMessage("/sim fault=status:500\ntwo") })).json();
    expect(await fetchSimStats(sim.url)).toEqual({
      started: 2,
      completed: 1,
      cancelled: 0,
      failed: 1,
      active: 0,
      cancellations: [],
    });
    expect((await (await fetch(`${sim.url}/stats`)).json()).started).toBe(2);
    await fetch(`${sim.url}/sim/stats`, { method: "DELETE" });
    expect((await fetchSimStats(sim.url)).started).toBe(0);
  });
});
