/**
 * The simulator as a tool-calling model, read through the official `openai` client: a `/sim
 * call=…` line gives OpenAI-style `tool_calls` deltas (several calls in one answer, arguments
 * split over chunks), `tool_rounds` repeats them, tool results are quoted in the answer that
 * follows, and no call is made without tools offered or under `tool_choice: "none"`.
 */
import { describe, expect, test } from "bun:test";
import OpenAI from "openai";
import type { ChatCompletionMessageParam } from "openai/resources/chat/completions";
import { splitDirective } from "../../src/simulator/directive.ts";
import { SimulatorRequestError } from "../../src/simulator/errors.ts";
import { createSimulator } from "../../src/simulator/server.ts";

const simulator = createSimulator({ ttftMs: 1, tokensPerSecond: 10_000, maxTokens: 6 });
const client = new OpenAI({
  baseURL: "http://simulator.test/v1",
  apiKey: "none",
  maxRetries: 0,
  fetch: (url: RequestInfo | URL, init?: RequestInit) => simulator.handle(new Request(url, init)),
});
const tool = (name: string) => ({ type: "function" as const, function: { name, parameters: { type: "object" } } });
const TOOLS = [tool("tests__fast"), tool("tests__slow")];
const ASK = '/sim call=fast:{"text":"h%20i"} call=tests__slow:{"ms":5}\nLook it up';

/** Streams one answer: its text, its tool calls as assembled, the chunks that carried arguments, its finish. */
async function answer(messages: ChatCompletionMessageParam[], extra: Record<string, unknown> = {}) {
  const stream = await client.chat.completions.create({
    model: "demo",
    messages,
    stream: true,
    tools: TOOLS,
    ...extra,
  });
  let text = "";
  let argumentChunks = 0;
  let finish: string | null = null;
  const calls: { id: string; name: string; arguments: string }[] = [];
  for await (const chunk of stream) {
    const choice = chunk.choices[0];
    text += choice?.delta?.content ?? "";
    finish = choice?.finish_reason ?? finish;
    for (const delta of choice?.delta?.tool_calls ?? []) {
      calls[delta.index] ??= { id: "", name: "", arguments: "" };
      const call = calls[delta.index] as { id: string; name: string; arguments: string };
      call.id ||= delta.id ?? "";
      call.name ||= delta.function?.name ?? "";
      call.arguments += delta.function?.arguments ?? "";
      if (delta.function?.arguments) argumentChunks++;
    }
  }
  return { text, calls, argumentChunks, finish };
}

function afterCalls(calls: { id: string; name: string; arguments: string }[], results: string[]) {
  const toolCalls = calls.map((call) => ({
    id: call.id,
    type: "function" as const,
    function: { name: call.name, arguments: call.arguments },
  }));
  return [
    { role: "assistant" as const, content: null, tool_calls: toolCalls },
    ...results.map((content, index) => ({ role: "tool" as const, tool_call_id: calls[index]?.id ?? "", content })),
  ];
}

describe("the simulator calls tools", () => {
  test("several calls in one answer, named as offered, their arguments split over chunks", async () => {
    const first = await answer([{ role: "user", content: ASK }]);
    expect(first.finish).toBe("tool_calls");
    expect(first.text).toBe("");
    expect(first.calls.map((call) => call.name)).toEqual(["tests__fast", "tests__slow"]);
    expect(first.calls.map((call) => JSON.parse(call.arguments))).toEqual([{ text: "h i" }, { ms: 5 }]);
    expect(new Set(first.calls.map((call) => call.id)).size).toBe(2);
    expect(first.argumentChunks).toBeGreaterThan(4);
  });

  test("tool results are quoted in the answer that follows; tool_rounds asks again first", async () => {
    const question = { role: "user" as const, content: ASK };
    const first = await answer([question]);
    const then = await answer([question, ...afterCalls(first.calls, ["echo: h i", "slept 5 ms"])]);
    expect(then.finish).toBe("stop");
    expect(then.calls).toEqual([]);
    expect(then.text.startsWith("Tool results:\n[1] echo: h i\n[2] slept 5 ms\n\n")).toBe(true);
    expect(then.text.length).toBeGreaterThan("Tool results:".length + 30);

    const twice = { role: "user" as const, content: "/sim call=fast tool_rounds=2\nTwice" };
    const round1 = await answer([twice]);
    const round2 = await answer([twice, ...afterCalls(round1.calls, ["one"])]);
    expect(round2.calls.map((call) => call.name)).toEqual(["tests__fast"]);
    expect(round2.calls[0]?.id).not.toBe(round1.calls[0]?.id);
    const round3 = await answer([twice, ...afterCalls(round1.calls, ["one"]), ...afterCalls(round2.calls, ["two"])]);
    expect(round3.finish).toBe("stop");
    expect(round3.text.startsWith("Tool results:\n[1] one\n[2] two")).toBe(true);
  });

  test("no call without tools offered, or under tool_choice none", async () => {
    const refused = await answer([{ role: "user", content: ASK }], { tool_choice: "none" });
    expect(refused).toMatchObject({ finish: "stop", calls: [] });
    expect(refused.text.length).toBeGreaterThan(0);
    const stream = await client.chat.completions.create({
      model: "demo",
      messages: [{ role: "user", content: ASK }],
      stream: true,
    });
    let finish: string | null = null;
    for await (const chunk of stream) finish = chunk.choices[0]?.finish_reason ?? finish;
    expect(finish).toBe("stop");
  });

  test("a whole (non-streamed) answer carries its tool calls in the message", async () => {
    const completion = await client.chat.completions.create({
      model: "demo",
      messages: [{ role: "user", content: ASK }],
      tools: TOOLS,
    });
    const choice = completion.choices[0];
    expect(choice?.finish_reason).toBe("tool_calls");
    expect(choice?.message.content).toBeNull();
    expect(choice?.message.tool_calls?.map((call) => (call.type === "function" ? call.function.name : ""))).toEqual([
      "tests__fast",
      "tests__slow",
    ]);
  });

  test("a malformed call directive is a 400 naming messages", () => {
    expect(splitDirective("/sim call=fast call=slow:%7B\nx").directive.calls).toEqual([
      { name: "fast", arguments: "{}" },
      { name: "slow", arguments: "{" },
    ]);
    expect(() => splitDirective("/sim call=a.b\nx")).toThrow(SimulatorRequestError);
    expect(() => splitDirective("/sim call=a:%E0%A4%A\nx")).toThrow(SimulatorRequestError);
    expect(() => splitDirective("/sim tool_rounds=0\nx")).toThrow(SimulatorRequestError);
  });
});
