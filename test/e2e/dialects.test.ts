/**
 * The Responses API and the AI SDK's chat through the shipped nginx, with their own clients:
 * a background response resumed with `starting_after` after a forced disconnect, cancel; a
 * `useChat` answer, resumed after its connection broke, and stopped. (That both stream token by
 * token through nginx, and are bunched by the negative control, streaming.test.ts shows.)
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import type { ResponseStreamEvent } from "openai/resources/responses/responses";
import { callJson } from "../../harness/client/api.ts";
import { eventually } from "../../harness/client/poll.ts";
import { fetchSimStats } from "../../harness/client/sim-stats.ts";
import { breakingFetch, PlainChat } from "../../harness/client/ui-chat.ts";
import { type Stack, startStack } from "../../harness/stack/start-stack.ts";

const LONG = "/sim tps=40 tokens=120\ntell me everything";

let stack: Stack;
let client: OpenAI;
beforeAll(async () => {
  stack = await startStack();
  client = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: "none", maxRetries: 0 });
}, 60_000);
afterAll(() => stack?.stop(), 30_000);

const started = async () => (await fetchSimStats(stack.simulatorUrl as string)).started;

describe("the Responses API through nginx", () => {
  test("a dropped background stream resumes after starting_after: no gap, no repeat, one model call", async () => {
    const before = await started();
    const first: ResponseStreamEvent[] = [];
    const stream = await client.responses.create({ model: "demo", input: LONG, stream: true, background: true });
    for await (const event of stream) {
      first.push(event);
      if (first.length === 25) break;
    }
    const id = first[0]?.type === "response.created" ? first[0].response.id : "";
    const rest: ResponseStreamEvent[] = [];
    const after = first.at(-1)?.sequence_number as number;
    for await (const event of await client.responses.retrieve(id, { stream: true, starting_after: after }))
      rest.push(event);
    const joined = [...first, ...rest];
    expect(joined.map((event) => event.sequence_number)).toEqual(joined.map((_, index) => index));
    expect(rest.at(-1)?.type).toBe("response.completed");
    expect(joined.filter((event) => event.type === "response.output_text.delta")).toHaveLength(120);
    expect(await started()).toBe(before + 1);
  }, 30_000);

  test("cancel through nginx stops the model call", async () => {
    const created = await client.responses.create({ model: "demo", input: LONG, background: true });
    await Bun.sleep(300);
    const cancelled = await client.responses.cancel(created.id);
    expect(cancelled.status).toBe("cancelled");
    const streamId = created.id.slice("resp_".length).split(".")[0];
    const seen = async () =>
      (await fetchSimStats(stack.simulatorUrl as string)).cancellations.some((entry) => entry.request_id === streamId);
    expect(await eventually(seen, 3_000)).toBe(true);
  }, 30_000);
});

describe("the AI SDK's chat through nginx", () => {
  const api = () => `${stack.url}/api/chat`;

  test("a full answer, then a resume after the connection broke: the whole answer, one model call", async () => {
    const chat = new PlainChat({ api: api() });
    await chat.sendMessage({ text: "/echo through nginx" });
    expect(chat.lastText).toBe("through nginx");
    const before = await started();
    const broken = new PlainChat({ api: api(), fetch: breakingFetch(1_000) });
    await broken.sendMessage({ text: LONG });
    expect(broken.status).toBe("error");
    await broken.resumeStream();
    expect(broken.status).toBe("ready");
    const stored = await callJson(stack.url, "GET", `/api/chat/${broken.id}/messages`);
    expect(broken.lastText).toBe(stored.json.messages[1].parts[0].text);
    expect(await started()).toBe(before + 1);
  }, 30_000);

  test("Stop through nginx: stop() and DELETE /api/chat/:id/stream end the answer as cancelled", async () => {
    const chat = new PlainChat({ api: api() });
    const sending = chat.sendMessage({ text: LONG });
    expect(await eventually(() => chat.messages.length === 2 && chat.lastText.length > 10, 5_000)).toBe(true);
    await chat.stop();
    const stop = await callJson(stack.url, "DELETE", `/api/chat/${chat.id}/stream`);
    expect(stop.json.finish_reason).toBe("cancelled");
    await sending;
    expect((await fetch(`${api()}/${chat.id}/stream`)).status).toBe(204);
  }, 30_000);
});
