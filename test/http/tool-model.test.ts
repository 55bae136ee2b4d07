/**
 * What Sluice sends a real tool-calling model, and what it does when the model will not stop
 * calling: the harness's fake model records every request and asks for a tool call in every
 * answer, even under `tool_choice: "none"`. Each later request carries the model's calls and their
 * results in OpenAI's form; after MAX_TOOL_STEPS rounds the last request says "none", and the
 * calls it still makes are not run but answered `tool_limit_reached`, to the user and in the log.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { answerStored, createConversation, sendMessage } from "../../harness/client/conversations.ts";
import { type ReceivedEvent, readStream } from "../../harness/client/stream.ts";
import { type FakeModel, startFakeModel } from "../../harness/fake-model.ts";
import { type Started, startApp } from "../../harness/stack/spawn.ts";
import { startToolServer, type ToolServer, writeServersFile } from "../../harness/tool-server.ts";

let tools: ToolServer;
let model: FakeModel;
let app: Started;
beforeAll(async () => {
  tools = startToolServer();
  model = startFakeModel({
    tokens: ["Checking", "."],
    toolCalls: (_, index) => [{ id: `call_${index}`, name: "tests__fast", arguments: `{"text":"round ${index}"}` }],
  });
  app = await startApp({
    UPSTREAM_BASE_URL: model.baseUrl,
    MODEL: "fake",
    MCP_SERVERS_FILE: writeServersFile([{ name: "tests", url: tools.url, tools: ["fast"] }]),
    MAX_TOOL_STEPS: "2",
  });
});
afterAll(async () => {
  await app?.stop();
  model?.stop();
  await tools?.stop();
});

test("a model that never stops calling: rounds in OpenAI's form, then tool_choice none, then refused calls", async () => {
  const id = await createConversation(app.url);
  const before = model.received.length;
  const started = await sendMessage(app.url, id, "Keep calling");
  const read = await readStream(`${app.url}${started.json.streamUrl}`, { timeoutMs: 15_000 });
  const results = read.events.filter((event) => event.event === "tool_result").map((event) => JSON.parse(event.data));
  expect(results.map((result) => result.content)).toEqual([
    "echo: round 0",
    "echo: round 1",
    "the answer ran its 2 rounds of tool calls (MAX_TOOL_STEPS)",
  ]);
  expect(results[2].error.code).toBe("tool_limit_reached");
  const done = JSON.parse((read.events.at(-1) as ReceivedEvent).data);
  expect(done.finish_reason).toBe("tool_calls");
  // Three model calls, each reporting 9 prompt tokens: the answer's usage is their sum.
  expect(done.usage.prompt_tokens).toBe(27);

  const requests = model.received.slice(before);
  expect(requests.map((request) => request.tool_choice)).toEqual(["auto", "auto", "none"]);
  const offered = (requests[0]?.tools ?? []) as { function: { name: string } }[];
  expect(offered.map((tool) => tool.function.name)).toEqual(["tests__fast"]);
  const third = requests[2]?.messages as Record<string, unknown>[];
  expect(third.slice(-4)).toEqual([
    {
      role: "assistant",
      content: "Checking.",
      tool_calls: [
        { id: "call_0", type: "function", function: { name: "tests__fast", arguments: '{"text":"round 0"}' } },
      ],
    },
    { role: "tool", tool_call_id: "call_0", content: "echo: round 0" },
    {
      role: "assistant",
      content: "Checking.",
      tool_calls: [
        { id: "call_1", type: "function", function: { name: "tests__fast", arguments: '{"text":"round 1"}' } },
      ],
    },
    { role: "tool", tool_call_id: "call_1", content: "echo: round 1" },
  ]);
  expect(tools.calls.map((call) => call.arguments)).toEqual([{ text: "round 0" }, { text: "round 1" }]);
  const stored = (await answerStored(app.url, id)).messages.at(-1) as unknown as Record<string, unknown>;
  // Each call's text in a paragraph of its own.
  expect(stored.content).toBe("Checking.\n\nChecking.\n\nChecking.");
  expect((stored.tool_steps as { status: string }[]).map((step) => step.status)).toEqual(["ok", "ok", "error"]);
});
