/**
 * A `/v1` call's usage, read on the way, against a model on a real socket that streams as OpenAI
 * does when asked for usage: `"usage": null` on every chunk and a last chunk with no choices and
 * the usage. Sluice asks for it; a client that did not gets the chunks as they would be unasked
 * (the usage chunk and the nulls left out), a client that did gets them untouched, and the call's
 * usage is the model's either way.
 */
import { afterAll, expect, test } from "bun:test";
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import { createUpstreamClient } from "../../src/upstream/client.ts";
import { PassThroughCall } from "../../src/upstream/pass-through.ts";
import { IncludeUsagePolicy } from "../../src/upstream/usage-request.ts";

const received: Record<string, unknown>[] = [];
const head = { id: "chatcmpl-1", object: "chat.completion.chunk", created: 0, model: "m" };
const chunk = (choices: unknown[], usage: unknown) => `data: ${JSON.stringify({ ...head, choices, usage })}\n\n`;

const model = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(request) {
    const body = (await request.json()) as { stream_options?: { include_usage?: boolean } };
    received.push(body);
    const asked = body.stream_options?.include_usage === true;
    const nothing = asked ? null : undefined;
    const parts = [
      chunk([{ index: 0, delta: { content: "Hello" }, finish_reason: null }], nothing),
      chunk([{ index: 0, delta: { content: " there" }, finish_reason: null }], nothing),
      chunk([{ index: 0, delta: {}, finish_reason: "stop" }], nothing),
      ...(asked ? [chunk([], { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 })] : []),
      "data: [DONE]\n\n",
    ];
    return new Response(parts.join(""), { headers: { "content-type": "text/event-stream" } });
  },
});
afterAll(() => model.stop(true));

const client = createUpstreamClient({ baseUrl: `http://127.0.0.1:${model.port}/v1`, apiKey: undefined });
const silent = { firstToken() {}, token() {}, cancelled() {}, failed() {} };

async function relay(clientAsks: boolean) {
  const call = new PassThroughCall(client, {
    requestId: "r1",
    timeouts: { firstTokenMs: 5_000, interTokenMs: 5_000 },
    observer: silent,
    usage: new IncludeUsagePolicy("auto"),
  });
  const params = {
    model: "m",
    stream: true as const,
    messages: [{ role: "user" as const, content: "hi" }],
    ...(clientAsks ? { stream_options: { include_usage: true } } : {}),
  };
  const relayed: string[] = [];
  for await (const chunks of (await call.open(params)) ?? []) relayed.push(...chunks.map((c) => JSON.stringify(c)));
  return { relayed, usage: call.usage(99) };
}

test("not asked by the client: the model is asked, the client gets no usage chunk and no usage field", async () => {
  const { relayed, usage } = await relay(false);
  expect(received.at(-1)?.stream_options).toEqual({ include_usage: true });
  expect(relayed).toHaveLength(3);
  for (const text of relayed) expect(text).not.toContain("usage");
  expect(usage).toEqual({ prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 });
});

test("asked by the client: every chunk as the model sent it", async () => {
  const { relayed, usage } = await relay(true);
  expect(relayed).toHaveLength(4);
  expect(relayed.slice(0, 3).every((text) => text.includes('"usage":null'))).toBe(true);
  expect((JSON.parse(relayed[3] as string) as ChatCompletionChunk).usage?.total_tokens).toBe(7);
  expect(usage).toEqual({ prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 });
});
