/**
 * `/v1/responses` with the official `openai` client: whole and streamed, background with a forced
 * disconnect and a resume by `starting_after` (no gap, no repeat), cancel, and what is stored.
 * The app runs on the runtime under test, in front of a standalone simulator.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import type { ResponseStreamEvent } from "openai/resources/responses/responses";
import { callJson } from "../../harness/client/api.ts";
import { answerStored, readConversation } from "../../harness/client/conversations.ts";
import { eventually, waitUntil } from "../../harness/client/poll.ts";
import { fetchSimStats } from "../../harness/client/sim-stats.ts";
import { startTopology, type Topology } from "../../harness/stack/topology.ts";

let stack: Topology;
let client: OpenAI;
let direct: OpenAI;
beforeAll(async () => {
  stack = await startTopology({ STREAM_RETENTION_MS: "3000" });
  client = new OpenAI({ baseURL: `${stack.app.url}/v1`, apiKey: "none", maxRetries: 0 });
  direct = new OpenAI({ baseURL: `${stack.simulator.url}/v1`, apiKey: "none", maxRetries: 0 });
});
afterAll(() => stack?.stop());

const SLOW = "/sim tps=40 tokens=100\nkeep talking";

/** What the simulator answers `content` as a chat completion: the text a response must hold. */
async function expectedText(content: string, instructions?: string) {
  const messages = [
    ...(instructions ? [{ role: "system" as const, content: instructions }] : []),
    { role: "user" as const, content },
  ];
  const completion = await direct.chat.completions.create({ model: "demo", messages });
  return completion.choices[0]?.message.content ?? "";
}

/** Reads `stream` to its end, or until `stopAfter` events (then the connection is closed). */
async function collect(stream: AsyncIterable<ResponseStreamEvent> & { controller: AbortController }, stopAfter = 0) {
  const events: ResponseStreamEvent[] = [];
  for await (const event of stream) {
    events.push(event);
    if (stopAfter > 0 && events.length === stopAfter) {
      stream.controller.abort();
      break;
    }
  }
  return events;
}

const deltas = (events: ResponseStreamEvent[]) =>
  events.flatMap((event) => (event.type === "response.output_text.delta" ? [event.delta] : [])).join("");

describe("POST /v1/responses", () => {
  test("a whole response holds the model's answer, with usage", async () => {
    const response = await client.responses.create({ model: "demo", input: "/sim tokens=12\nwhole", store: false });
    expect(response.status).toBe("completed");
    expect(response.output_text).toBe(await expectedText("/sim tokens=12\nwhole"));
    expect(response.usage?.output_tokens).toBe(12);
    expect(response.id).toMatch(/^resp_[A-Za-z0-9_-]{22}$/);
  });

  test("a streamed response: its events in order, numbered from 0 with no gap", async () => {
    const input = "/sim tokens=20\nstreamed";
    const events = await collect(await client.responses.create({ model: "demo", input, stream: true }));
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    const types = events.map((event) => event.type);
    expect(types.slice(0, 4)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
    ]);
    expect(types.slice(-4)).toEqual([
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    const text = await expectedText(input);
    expect(deltas(events)).toBe(text);
    const completed = events.at(-1);
    expect(completed?.type === "response.completed" && completed.response.output_text).toBeUndefined();
    if (completed?.type !== "response.completed") throw new Error("no completed event");
    expect(completed.response.output[0]).toMatchObject({ type: "message", content: [{ text }] });
  });

  test("background: a dropped stream resumes with starting_after, no gap, no repeat", async () => {
    const stream = await client.responses.create({ model: "demo", input: SLOW, stream: true, background: true });
    const first = await collect(stream, 30);
    const id = first[0]?.type === "response.created" ? first[0].response.id : "";
    const last = first.at(-1)?.sequence_number as number;
    const rest = await collect(await client.responses.retrieve(id, { stream: true, starting_after: last }));
    const joined = [...first, ...rest];
    expect(joined.map((event) => event.sequence_number)).toEqual(joined.map((_, index) => index));
    expect(rest.at(-1)?.type).toBe("response.completed");
    const whole = await collect(await client.responses.retrieve(id, { stream: true }));
    expect(deltas(joined)).toBe(deltas(whole));
    expect(deltas(joined)).toBe(await expectedText(SLOW));
  });

  test("background without a stream: created at once, then polled to its end", async () => {
    const created = await client.responses.create({
      model: "demo",
      input: "/sim tps=50 tokens=20\npoll me",
      background: true,
    });
    expect(created.status).toBe("in_progress");
    const done = await waitUntil(
      "the response to complete",
      () => client.responses.retrieve(created.id),
      (response) => response.status !== "in_progress",
    );
    expect(done.status).toBe("completed");
    expect(done.output_text).toBe(await expectedText("/sim tps=50 tokens=20\npoll me"));
  });

  test("cancel stops the model call; the stream ends incomplete with status cancelled", async () => {
    const stream = await client.responses.create({ model: "demo", input: SLOW, stream: true, background: true });
    const events: ResponseStreamEvent[] = [];
    let cancelled: OpenAI.Responses.Response | undefined;
    for await (const event of stream) {
      events.push(event);
      if (events.length === 10 && event.type === "response.output_text.delta")
        cancelled = await client.responses.cancel(events[0]?.type === "response.created" ? events[0].response.id : "");
    }
    expect(cancelled?.status).toBe("cancelled");
    const end = events.at(-1);
    expect(end?.type).toBe("response.incomplete");
    expect(end?.type === "response.incomplete" && end.response.status).toBe("cancelled");
    const streamId = (cancelled?.id ?? "").slice("resp_".length).split(".")[0];
    // The simulator records the abort when it reaches it, which may be just after the stream's end.
    const seen = await eventually(async () =>
      (await fetchSimStats(stack.simulator.url)).cancellations.some((entry) => entry.request_id === streamId),
    );
    expect(seen).toBe(true);
    // Cancelling again answers the same final object.
    expect((await client.responses.cancel(cancelled?.id ?? "")).status).toBe("cancelled");
  });

  test("a client that leaves a stream it cannot resume cancels the model call at once", async () => {
    const before = (await fetchSimStats(stack.simulator.url)).cancelled;
    await collect(await client.responses.create({ model: "demo", input: SLOW, stream: true, store: false }), 8);
    expect(
      await eventually(async () => (await fetchSimStats(stack.simulator.url)).cancelled === before + 1, 2_000),
    ).toBe(true);
  });
});

describe("store and previous_response_id", () => {
  test("a stored response is a conversation; previous_response_id asks the next question in it", async () => {
    const first = await client.responses.create({
      model: "demo",
      input: "/echo first question",
      instructions: "Be brief.",
    });
    expect(first.id).toMatch(/^resp_[A-Za-z0-9_-]{22}\.[0-9a-f-]{36}$/);
    const second = await client.responses.create({
      model: "demo",
      input: [{ role: "user", content: "/echo second question" }],
      previous_response_id: first.id,
    });
    expect(second.previous_response_id).toBe(first.id);
    expect(second.output_text).toBe("second question");
    const conversationId = second.id.split(".")[1] as string;
    const stored = await answerStored(stack.app.url, conversationId);
    expect(stored.messages.map((message) => [message.role, message.content])).toEqual([
      ["user", "/echo first question"],
      ["assistant", "first question"],
      ["user", "/echo second question"],
      ["assistant", "second question"],
    ]);
    expect(stored.messages[1]?.id).toBe(first.id.slice(5, 27));
  });

  test("after its generation has left memory, a stored response is read from its conversation", async () => {
    const created = await client.responses.create({ model: "demo", input: "/echo kept for later" });
    await Bun.sleep(3_500);
    const read = await client.responses.retrieve(created.id);
    expect(read).toMatchObject({ id: created.id, status: "completed", output_text: "kept for later" });
    const unstored = await client.responses.create({ model: "demo", input: "/echo gone", store: false });
    await Bun.sleep(3_500);
    const gone = await callJson(stack.app.url, "GET", `/v1/responses/${unstored.id}`);
    expect(gone.status).toBe(404);
  });

  test("a history in input is sent as it is and not stored", async () => {
    const response = await client.responses.create({
      model: "demo",
      input: [
        { role: "user", content: "/echo one" },
        { role: "assistant", content: "one" },
        { role: "user", content: "/echo two" },
      ],
    });
    expect(response.output_text).toBe("two");
    expect(response.id).not.toContain(".");
    const listed = await callJson(stack.app.url, "GET", "/api/conversations?q=two");
    expect(listed.json.conversations).toEqual([]);
  });

  test("what the conversations cannot hold, and what Sluice does not serve, is a 400 naming the field", async () => {
    const unstored = await client.responses.create({ model: "demo", input: "/echo x", store: false });
    const cases: [string, Record<string, unknown>][] = [
      ["store", { input: "hi", store: false, previous_response_id: unstored.id }],
      ["previous_response_id", { input: "hi", previous_response_id: unstored.id }],
      ["previous_response_id", { input: "hi", previous_response_id: `${unstored.id}.${crypto.randomUUID()}` }],
      [
        "input",
        {
          input: [
            { role: "user", content: "a" },
            { role: "user", content: "b" },
          ],
          store: true,
        },
      ],
      ["tools", { input: "hi", tools: [{ type: "function", name: "f", parameters: {} }] }],
      ["text.format", { input: "hi", text: { format: { type: "json_object" } } }],
      ["input[0].type", { input: [{ type: "function_call_output", call_id: "c", output: "x" }] }],
      [
        "input[0].content[0].image_url",
        { input: [{ role: "user", content: [{ type: "input_image", file_id: "f" }] }] },
      ],
      ["model", { input: "hi", model: "gpt-unlisted" }],
      ["max_output_tokens", { input: "hi", max_output_tokens: 10_000_000 }],
    ];
    for (const [field, body] of cases) {
      const answer = await callJson(stack.app.url, "POST", "/v1/responses", { model: "demo", ...body });
      expect({ field, status: answer.status, named: answer.json?.error?.field }).toEqual({
        field,
        status: 400,
        named: field,
      });
    }
  });

  test("a stored response's conversation is the caller's own: it shows in their list", async () => {
    const created = await client.responses.create({ model: "demo", input: "/echo listed conversation" });
    const conversationId = created.id.split(".")[1] as string;
    const conversation = await readConversation(stack.app.url, conversationId);
    expect(conversation.title).toBe("/echo listed conversation");
  });
});
