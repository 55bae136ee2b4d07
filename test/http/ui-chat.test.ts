/**
 * The AI SDK's chat endpoints with the SDK's own client (`ai`: AbstractChat and its
 * DefaultChatTransport, what `useChat` runs): a full answer, a resume after the connection broke,
 * resume when nothing runs, Stop, regenerate, and the UI message stream's exact framing. The app
 * runs on the runtime under test, in front of a standalone simulator.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { callJson } from "../../harness/client/api.ts";
import { answerStored, readConversation } from "../../harness/client/conversations.ts";
import { eventually } from "../../harness/client/poll.ts";
import { fetchSimStats } from "../../harness/client/sim-stats.ts";
import { readStream } from "../../harness/client/stream.ts";
import { breakingFetch, PlainChat, textOfMessage } from "../../harness/client/ui-chat.ts";
import { startTopology, type Topology } from "../../harness/stack/topology.ts";

let stack: Topology;
let api: string;
beforeAll(async () => {
  stack = await startTopology();
  api = `${stack.app.url}/api/chat`;
});
afterAll(() => stack?.stop());

const SLOW = "/sim tps=30 tokens=90\ntell me a long story";
const simStats = () => fetchSimStats(stack.simulator.url);

/** The conversation Sluice keeps for the chat `id` (as the SDK's messages). */
const chatMessages = async (id: string) => (await callJson(stack.app.url, "GET", `/api/chat/${id}/messages`)).json;

describe("the AI SDK's chat endpoint", () => {
  test("a full answer, stored as a conversation whose answer has the message's id", async () => {
    const chat = new PlainChat({ api });
    await chat.sendMessage({ text: "/echo hello from useChat" });
    expect(chat.status).toBe("ready");
    expect(chat.messages.map((message) => message.role)).toEqual(["user", "assistant"]);
    expect(chat.lastText).toBe("hello from useChat");
    const stored = await chatMessages(chat.id);
    expect(stored.messages.map((message: { role: string }) => message.role)).toEqual(["user", "assistant"]);
    expect(stored.messages[1]).toEqual({
      id: chat.messages[1]?.id,
      role: "assistant",
      parts: [{ type: "text", text: "hello from useChat" }],
    });
    // The next question goes on in the same conversation.
    await chat.sendMessage({ text: "/echo and a second one" });
    expect((await chatMessages(chat.id)).messages).toHaveLength(4);
  });

  test("the stream: its header, the parts in order, Sluice's ids in the SSE id lines only", async () => {
    const read = await readStream(api, {
      method: "POST",
      body: {
        id: "framing-check",
        trigger: "submit-message",
        messages: [{ id: "u1", role: "user", parts: [{ type: "text", text: "/echo a b" }] }],
      },
    });
    expect(read.headers.get("x-vercel-ai-ui-message-stream")).toBe("v1");
    expect(read.headers.get("content-type")).toStartWith("text/event-stream");
    const parts = read.events.map((event) => (event.data === "[DONE]" ? "[DONE]" : JSON.parse(event.data).type));
    expect(parts[0]).toBe("start");
    expect(parts[1]).toBe("text-start");
    expect(parts.slice(2, -3).every((type) => type === "text-delta")).toBe(true);
    expect(parts.slice(-3)).toEqual(["text-end", "finish", "[DONE]"]);
    const deltas = read.events.slice(2, -3);
    expect(deltas.map((event) => event.id)).toEqual(deltas.map((_, index) => String(index + 1)));
    expect(read.events.at(-1)?.id).toBe(String(deltas.length + 1));
    expect(JSON.parse(read.events.at(-2)?.data ?? "{}")).toEqual({ type: "finish", finishReason: "stop" });
  });

  test("a broken connection resumes from GET /api/chat/:id/stream: the whole answer, one model call", async () => {
    const startedBefore = (await simStats()).started;
    const chat = new PlainChat({ api, fetch: breakingFetch(1_000) });
    await chat.sendMessage({ text: SLOW });
    expect(chat.status).toBe("error");
    const cut = chat.lastText;
    expect(cut.length).toBeGreaterThan(0);
    await chat.resumeStream();
    expect(chat.status).toBe("ready");
    expect(chat.messages).toHaveLength(2);
    expect(chat.lastText.startsWith(cut)).toBe(true);
    const stored = await chatMessages(chat.id);
    expect(chat.lastText).toBe(textOfMessage(stored.messages[1]));
    expect((await simStats()).started).toBe(startedBefore + 1);
  });

  test("resume when no answer runs is a 204: the SDK stays ready", async () => {
    const chat = new PlainChat({ api, id: "nothing-runs-here" });
    await chat.resumeStream();
    expect(chat.status).toBe("ready");
    expect(chat.messages).toEqual([]);
    const response = await fetch(`${api}/nothing-runs-here/stream`);
    expect(response.status).toBe(204);
  });

  test("Stop: the SDK's stop with DELETE /api/chat/:id/stream cancels the model call and stores what was said", async () => {
    const chat = new PlainChat({ api });
    const sending = chat.sendMessage({ text: SLOW });
    expect(await eventually(() => chat.lastText.length > 20 && chat.messages.length === 2, 5_000)).toBe(true);
    await chat.stop();
    const stop = await callJson(stack.app.url, "DELETE", `/api/chat/${chat.id}/stream`);
    expect(stop.json).toMatchObject({ finish_reason: "cancelled" });
    await sending;
    expect(stop.json.conversationId).toBe(await findConversation(chat.id));
    const stored = await answerStored(stack.app.url, stop.json.conversationId);
    expect(stored.messages[1]?.status).toBe("cancelled");
    const streamId = stop.json.streamId as string;
    const aborted = async () => (await simStats()).cancellations.some((entry) => entry.request_id === streamId);
    expect(await eventually(aborted, 5_000)).toBe(true);
    expect((await fetch(`${api}/${chat.id}/stream`)).status).toBe(204);
  });

  test("regenerate: a new answer beside the first, the one the chat shows", async () => {
    const chat = new PlainChat({ api });
    await chat.sendMessage({ text: "/sim tokens=5\nregenerate me" });
    const first = chat.messages[1]?.id;
    await chat.regenerate();
    expect(chat.messages).toHaveLength(2);
    expect(chat.messages[1]?.id).not.toBe(first);
    const conversation = await readConversation(stack.app.url, await findConversation(chat.id));
    expect(conversation.messages[1]).toMatchObject({ id: chat.messages[1]?.id, sibling_count: 2 });
  });

  test("an edited message is a new question beside the one it replaces, whatever id the SDK gave it", async () => {
    const chat = new PlainChat({ api });
    await chat.sendMessage({ text: "/echo first version" });
    await chat.sendMessage({ text: "/echo a follow-up" });
    // The SDK's own id for the follow-up: Sluice finds it by its place in the branch.
    await chat.sendMessage({ text: "/echo second version", messageId: chat.messages[2]?.id as string });
    expect(chat.messages.map((message) => textOfMessage(message))).toEqual([
      "/echo first version",
      "first version",
      "/echo second version",
      "second version",
    ]);
    const conversation = await readConversation(stack.app.url, await findConversation(chat.id));
    expect(conversation.messages.map((message) => message.content)).toEqual(chat.messages.map(textOfMessage));
    expect(conversation.messages[2]).toMatchObject({ sibling_count: 2, sibling_position: 2 });
  });

  test("a refused body is a 400 naming the field, before anything is stored", async () => {
    const message = (parts: unknown[]) => [{ id: "u", role: "user", parts }];
    const cases: [string, Record<string, unknown>][] = [
      ["trigger", { id: "c1", trigger: "resume", messages: message([{ type: "text", text: "hi" }]) }],
      ["id", { id: "no spaces", trigger: "submit-message", messages: message([{ type: "text", text: "hi" }]) }],
      [
        "messages[0].parts[0].type",
        {
          id: "c1",
          trigger: "submit-message",
          messages: message([{ type: "file", url: "x", mediaType: "image/png" }]),
        },
      ],
      ["messages[0].parts", { id: "c1", trigger: "submit-message", messages: message([{ type: "step-start" }]) }],
      [
        "model",
        { id: "c1", trigger: "submit-message", model: "unlisted", messages: message([{ type: "text", text: "hi" }]) },
      ],
    ];
    for (const [field, body] of cases) {
      const answer = await callJson(stack.app.url, "POST", "/api/chat", body);
      expect({ field, status: answer.status, named: answer.json?.error?.field }).toEqual({
        field,
        status: 400,
        named: field,
      });
    }
    expect((await chatMessages("c1")).messages).toEqual([]);
  });
});

/** The conversation Sluice keeps for chat `id`. */
async function findConversation(id: string): Promise<string> {
  return (await chatMessages(id)).conversationId as string;
}
