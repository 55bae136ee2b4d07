/**
 * The simulator as the official `openai` client sees it: the expected text, determinism,
 * `/echo` round trips of hostile bytes, and `max_tokens`.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type OpenAI from "openai";
import { type Started, startSimulator } from "../../harness/stack/spawn.ts";
import { openAIClient, streamText, userMessage } from "./support.ts";

let sim: Started;
let client: OpenAI;
beforeAll(async () => {
  sim = await startSimulator({ SIM_TTFT_MS: "5", SIM_TOKENS_PER_SECOND: "2000", SIM_MAX_TOKENS: "24" });
  client = openAIClient(sim.url);
});
afterAll(() => sim?.stop());

const FAST = "/sim ttft_ms=0 tps=5000";

describe("text through the openai client", () => {
  test("streamed text equals the non-streamed answer to the same messages", async () => {
    const streamed = await streamText(client, "Tell me a story");
    const whole = await client.chat.completions.create({ model: "demo", messages: userMessage("Tell me a story") });
    expect(streamed.text.length).toBeGreaterThan(40);
    expect(streamed.text).toBe(whole.choices[0]?.message.content as string);
    expect(streamed.finishReason).toBe("stop");
    expect(whole.usage?.completion_tokens).toBe(24);
  });

  test("same messages, same tokens; other messages, other tokens", async () => {
    const first = await streamText(client, `${FAST} tokens=30\nA question`);
    const again = await streamText(client, `${FAST} tokens=30\nA question`);
    const other = await streamText(client, `${FAST} tokens=30\nAnother question`);
    expect(again.text).toBe(first.text);
    expect(other.text).not.toBe(first.text);
  });

  test("the /sim line changes pacing and length, never the words", async () => {
    const short = await streamText(client, "/sim ttft_ms=1 tps=3000 tokens=10\nSame prompt");
    const long = await streamText(client, `${FAST} tokens=40\nSame prompt`);
    expect(long.text.startsWith(short.text)).toBe(true);
    expect(long.text.length).toBeGreaterThan(short.text.length);
  });
});

describe("/echo", () => {
  const nasty =
    "CRLF\r\nCR\rLF\nblank\n\nNUL:\u0000 tab\t emoji 😀👩‍👩‍👧 flag 🇫🇷 e\u0301 " +
    "<script>alert('x')</script> &amp; \"quotes\" \\ back\n" +
    "event: x\ndata: y\nid: 7\nretry: 1\n: comment\ndata: [DONE]\n\n\r\n\r";

  test("streams the rest of the prompt back byte for byte", async () => {
    const { text, finishReason } = await streamText(client, `${FAST}\n/echo ${nasty}`);
    expect(text).toBe(nasty);
    expect(finishReason).toBe("stop");
  });

  test("tokens are a few code points and never split a surrogate pair", async () => {
    const stream = await client.chat.completions.create({
      model: "demo",
      messages: userMessage(`/echo ${nasty}`),
      stream: true,
      stream_options: { include_usage: true },
    });
    const tokens: string[] = [];
    let completionTokens = -1;
    for await (const chunk of stream) {
      const content = chunk.choices[0]?.delta?.content;
      if (content && chunk.choices[0]?.delta?.role === undefined) tokens.push(content);
      if (chunk.usage) completionTokens = chunk.usage.completion_tokens;
    }
    expect(tokens.join("")).toBe(nasty);
    expect(completionTokens).toBe(tokens.length);
    const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
    for (const token of tokens) {
      expect([...token].length).toBeLessThanOrEqual(4);
      expect(loneSurrogate.test(token)).toBe(false);
    }
  });

  test("an echo is not cut by SIM_MAX_TOKENS, only by the request's max_tokens", async () => {
    const long = "x".repeat(200);
    expect((await streamText(client, `/echo ${long}`)).text).toBe(long);
    const cut = await streamText(client, `/echo ${long}`, { max_tokens: 3 });
    expect(cut).toEqual({ text: "x".repeat(3 + 1 + 4), finishReason: "length" });
  });
});

describe("max_tokens", () => {
  test("caps the answer and ends it with finish_reason length", async () => {
    const stream = await client.chat.completions.create({
      model: "demo",
      messages: userMessage(`${FAST} tokens=50\nLong`),
      stream: true,
      max_tokens: 5,
      stream_options: { include_usage: true },
    });
    let contentChunks = 0;
    let finishReason: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta?.content && chunk.choices[0].delta.role === undefined) contentChunks++;
      finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
      usage = chunk.usage ?? usage;
    }
    expect(contentChunks).toBe(5);
    expect(finishReason).toBe("length");
    expect(usage?.completion_tokens).toBe(5);
  });

  test("max_completion_tokens works too; a shorter answer still stops", async () => {
    const whole = await client.chat.completions.create({
      model: "demo",
      messages: userMessage(`${FAST} tokens=3\nShort`),
      max_completion_tokens: 10,
    });
    expect(whole.choices[0]?.finish_reason).toBe("stop");
    expect(whole.usage?.completion_tokens).toBe(3);
    const capped = await client.chat.completions.create({
      model: "demo",
      messages: userMessage(`${FAST} tokens=30\nShort`),
      max_completion_tokens: 4,
    });
    expect(capped.choices[0]?.finish_reason).toBe("length");
    expect(capped.usage?.completion_tokens).toBe(4);
  });
});
