/**
 * Tool answers end to end: the app (on the runtime SLUICE_RUNTIME names) with its embedded
 * simulator as the model and the test tool server as the operator's MCP server. Each step is an
 * event of the generation's log beside its tokens; a resume in the middle of a step replays it
 * with no gap or repeat; Stop during a slow call cancels it on the tool's server; a failing tool
 * is reported to the model and the user; MAX_TOOL_STEPS bounds the rounds; stored answers keep
 * their steps; a conversation turns tools off.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { callJson } from "../../harness/client/api.ts";
import { answerStored, createConversation, sendMessage } from "../../harness/client/conversations.ts";
import { fetchCounter } from "../../harness/client/metrics.ts";
import { eventually } from "../../harness/client/poll.ts";
import { answerText, type ReceivedEvent, readStream } from "../../harness/client/stream.ts";
import { PlainChat } from "../../harness/client/ui-chat.ts";
import { internalUrl, type Started, startApp } from "../../harness/stack/spawn.ts";
import { startToolServer, type ToolServer, writeServersFile } from "../../harness/tool-server.ts";

let tools: ToolServer;
let app: Started;
beforeAll(async () => {
  tools = startToolServer();
  app = await startApp({
    MCP_SERVERS_FILE: writeServersFile([{ name: "tests", url: tools.url, tools: "*" }]),
    MAX_TOOL_STEPS: "3",
    TOOL_RESULT_MAX_BYTES: "4096",
    TOOL_TIMEOUT_MS: "30000",
  });
});
afterAll(async () => {
  await app?.stop();
  await tools?.stop();
});

const FAST = "/sim ttft_ms=5 tps=2000 tokens=4";
const parsed = (event: ReceivedEvent) => JSON.parse(event.data) as Record<string, unknown>;
const ofType = (events: ReceivedEvent[], type: string) => events.filter((event) => event.event === type);

/** Asks `content` in a new conversation: the conversation and the answer's stream URL. */
async function ask(content: string) {
  const id = await createConversation(app.url);
  const started = await sendMessage(app.url, id, content);
  expect(started.status).toBe(202);
  return { id, url: `${app.url}${started.json.streamUrl}` };
}

/** The ids of `events` are 1, 2, 3… with none missing or repeated. */
function expectNumbered(events: ReceivedEvent[]): void {
  expect(events.map((event) => Number(event.id))).toEqual(events.map((_, index) => index + 1));
}

describe("tool answers", () => {
  test("a two-step answer: each call, its arguments and its result, then the text; usage summed; stored with its steps", async () => {
    const { id, url } = await ask(`${FAST} call=fast:{"text":"one"} tool_rounds=2\nLook twice`);
    const read = await readStream(url, { timeoutMs: 15_000 });
    const events = read.events;
    expectNumbered(events);
    const kinds = events.map((event) => event.event).filter((kind, index, all) => kind !== all[index - 1]);
    expect(kinds).toEqual([
      "tool_call",
      "tool_arguments",
      "tool_result",
      "tool_call",
      "tool_arguments",
      "tool_result",
      "token",
      "done",
    ]);
    const calls = ofType(events, "tool_call").map(parsed);
    expect(calls.map((call) => call.name)).toEqual(["tests__fast", "tests__fast"]);
    expect(calls[0]?.call_id).not.toBe(calls[1]?.call_id);
    const args = ofType(events, "tool_arguments").filter((event) => parsed(event).call_id === calls[0]?.call_id);
    expect(args.length).toBeGreaterThan(1);
    expect(JSON.parse(args.map((event) => parsed(event).delta).join(""))).toEqual({ text: "one" });
    expect(ofType(events, "tool_result").map(parsed)).toEqual([
      { call_id: calls[0]?.call_id, content: "echo: one" },
      { call_id: calls[1]?.call_id, content: "echo: one" },
    ]);
    const text = answerText(events);
    expect(text.startsWith("Tool results:\n[1] echo: one\n[2] echo: one\n\n")).toBe(true);
    const done = parsed(events.at(-1) as ReceivedEvent) as {
      finish_reason: string;
      usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
    };
    expect(done.finish_reason).toBe("stop");
    // Three model calls, each reading the question again: the prompt tokens are their sum.
    expect(done.usage.prompt_tokens).toBeGreaterThan(3 * 10);
    expect(done.usage.total_tokens).toBe(done.usage.prompt_tokens + done.usage.completion_tokens);

    const stored = (await answerStored(app.url, id)).messages.at(-1) as unknown as Record<string, unknown>;
    expect(stored.content).toBe(text);
    const exported = await fetch(`${app.url}/api/conversations/${id}/export?format=md`);
    expect(await exported.text()).toContain("_Tools:_\n- Called `tests__fast` (ok)\n- Called `tests__fast` (ok)");
    expect(stored.tool_steps).toEqual([
      {
        call_id: calls[0]?.call_id,
        name: "tests__fast",
        arguments: '{"text":"one"}',
        status: "ok",
        result: "echo: one",
        offset: 0,
      },
      {
        call_id: calls[1]?.call_id,
        name: "tests__fast",
        arguments: '{"text":"one"}',
        status: "ok",
        result: "echo: one",
        offset: 0,
      },
    ]);
  });

  test("a resume in the middle of a tool step goes on with no gap or repeat, as a whole replay reads it", async () => {
    const { url } = await ask(`${FAST} call=slow:{"ms":1200}\nWait for it`);
    const first = await readStream(url, {
      closeWhen: (event, events) => event.event === "tool_arguments" && ofType(events, "tool_arguments").length >= 2,
    });
    expect(first.ended).toBe("left");
    expect(ofType(first.events, "tool_result")).toEqual([]);
    const rest = await readStream(url, { lastEventId: first.events.at(-1)?.id, timeoutMs: 15_000 });
    const joined = [...first.events, ...rest.events];
    expectNumbered(joined);
    expect(rest.events.map((event) => event.event)).toContain("tool_result");
    expect(joined.at(-1)?.event).toBe("done");
    const whole = await readStream(url);
    const shape = (events: ReceivedEvent[]) => events.map(({ event, id, data }) => ({ event, id, data }));
    expect(shape(joined)).toEqual(shape(whole.events));
  });

  test("Stop during a slow tool call cancels the call on the tool's server; the answer is stored cancelled", async () => {
    const before = tools.calls.length;
    const { id, url } = await ask(`${FAST} call=slow:{"ms":20000}\nTake your time`);
    const watching = readStream(url, { timeoutMs: 15_000 });
    expect(await eventually(async () => tools.calls.length === before + 1, 5_000)).toBe(true);
    const stop = await fetch(url, { method: "DELETE" });
    expect(stop.status).toBeLessThan(300);
    const read = await watching;
    expect(read.events.at(-1)?.event).toBe("done");
    expect(parsed(read.events.at(-1) as ReceivedEvent).finish_reason).toBe("cancelled");
    expect(await eventually(async () => tools.calls[before]?.cancelled === true, 3_000)).toBe(true);
    const stored = (await answerStored(app.url, id)).messages.at(-1) as unknown as Record<string, unknown>;
    expect(stored.status).toBe("cancelled");
    expect(stored.tool_steps).toMatchObject([{ name: "tests__slow", status: "cancelled", result: "" }]);
  });

  test("a failing tool is reported to the user (its event) and to the model (the text quotes it)", async () => {
    const { url } = await ask(`${FAST} call=fail:{"message":"disk%20full"}\nTry it`);
    const read = await readStream(url, { timeoutMs: 15_000 });
    const [result] = ofType(read.events, "tool_result").map(parsed);
    expect(result).toMatchObject({ content: "disk full", error: { code: "tool_failed", message: "disk full" } });
    expect(answerText(read.events).startsWith("Tool results:\n[1] Error (tool_failed): disk full")).toBe(true);
    expect(read.events.at(-1)?.event).toBe("done");
  });

  test("MAX_TOOL_STEPS rounds run, then the model is asked to answer in words", async () => {
    const before = tools.calls.length;
    const { url } = await ask(`${FAST} call=fast:{"text":"again"} tool_rounds=50\nLoop`);
    const read = await readStream(url, { timeoutMs: 15_000 });
    expect(ofType(read.events, "tool_result").length).toBe(3);
    expect(tools.calls.length - before).toBe(3);
    expect(answerText(read.events).startsWith("Tool results:\n[1] echo: again\n[2] echo: again\n[3] echo: again")).toBe(
      true,
    );
    expect(parsed(read.events.at(-1) as ReceivedEvent).finish_reason).toBe("stop");
    const metrics = `${internalUrl(app)}/metrics`;
    expect(await fetchCounter(metrics, "sluice_tool_calls_total", { status: "ok" })).toBeGreaterThanOrEqual(3);
    expect(await fetchCounter(metrics, "sluice_tool_calls_total", { status: "tool_failed" })).toBeGreaterThanOrEqual(1);
  });

  test("a large result is cut to TOOL_RESULT_MAX_BYTES, its whole size said", async () => {
    const { url } = await ask(`${FAST} call=large:{"bytes":200000}\nBig`);
    const read = await readStream(url, { timeoutMs: 15_000 });
    const [result] = ofType(read.events, "tool_result").map(parsed);
    expect(String(result?.content).length).toBe(4096);
    expect(result?.full_bytes).toBe(200_000);
  });

  test("a conversation turns tools off and on; the page learns that tools exist", async () => {
    const settings = await callJson(app.url, "GET", "/api/chat-settings");
    expect(settings.json.tools).toEqual({ available: true, default: true });
    const id = await createConversation(app.url);
    const off = await callJson(app.url, "PATCH", `/api/conversations/${id}`, { tools: false });
    expect(off.json.tools).toBe(false);
    const before = tools.calls.length;
    const started = await sendMessage(app.url, id, `${FAST} call=fast\nNo tools here`);
    const read = await readStream(`${app.url}${started.json.streamUrl}`, { timeoutMs: 15_000 });
    expect(read.events.some((event) => event.event?.startsWith("tool_"))).toBe(false);
    expect(tools.calls.length).toBe(before);
    await answerStored(app.url, id);
    const bad = await callJson(app.url, "PATCH", `/api/conversations/${id}`, { tools: "yes" });
    expect(bad.status).toBe(400);
    expect(bad.json.error.field).toBe("tools");
    const back = await callJson(app.url, "PATCH", `/api/conversations/${id}`, { tools: null });
    expect(back.json.tools).toBeNull();
  });

  test("the AI SDK's chat: each call a dynamic tool part the SDK reads, then the text; the same parts read back", async () => {
    const chat = new PlainChat({ api: `${app.url}/api/chat` });
    await chat.sendMessage({ text: `${FAST} call=fast:{"text":"sdk"}\nLook it up` });
    expect(chat.status).toBe("ready");
    const answer = chat.messages.at(-1);
    // The text comes after the call: a part of its own, after the tool's.
    expect(answer?.parts.map((part) => part.type).filter((type) => type !== "step-start")).toEqual([
      "dynamic-tool",
      "text",
    ]);
    const tool = answer?.parts.find((part) => part.type === "dynamic-tool");
    expect(tool).toMatchObject({
      toolName: "tests__fast",
      state: "output-available",
      input: { text: "sdk" },
      output: "echo: sdk",
    });
    expect(chat.lastText).toStartWith("Tool results:\n[1] echo: sdk");
    const stored = (await callJson(app.url, "GET", `/api/chat/${chat.id}/messages`)).json;
    const parts = stored.messages[1].parts as { type: string }[];
    expect(parts.map((part) => part.type)).toEqual(["dynamic-tool", "text"]);
    expect(parts[0]).toMatchObject({ toolCallId: (tool as { toolCallId: string }).toolCallId, output: "echo: sdk" });
  });
});
