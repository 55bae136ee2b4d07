/**
 * A tool answer across instances: the steps of an answer running on A reach a viewer on B through
 * Redis exactly as A's own viewer reads them (same ids, same events), a viewer who moves from A to
 * B in the middle of a step goes on with no gap or repeat, and Stop sent to B cancels the tool
 * call on A's tool server. The answer is stored with its steps in the shared PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { callJson } from "../../harness/client/api.ts";
import { answerStored, createConversation } from "../../harness/client/conversations.ts";
import { eventually } from "../../harness/client/poll.ts";
import { type ReceivedEvent, readStream } from "../../harness/client/stream.ts";
import { startToolServer, type ToolServer, writeServersFile } from "../../harness/tool-server.ts";
import { ALICE, bearer, type Cluster, type Instance, startCluster } from "./instances.ts";

let cluster: Cluster;
let tools: ToolServer;
let a: Instance;
let b: Instance;
beforeAll(async () => {
  tools = startToolServer();
  cluster = await startCluster({
    MCP_SERVERS_FILE: writeServersFile([{ name: "tests", url: tools.url, tools: "*" }]),
    CANCEL_GRACE_MS: "300",
  });
  [a, b] = await Promise.all([cluster.start("a"), cluster.start("b")]);
});
afterAll(async () => {
  await cluster?.stop();
  await tools?.stop();
});

const auth = { token: ALICE };
const stream = (instance: Instance, id: string) => `${instance.url}/api/streams/${id}`;
const shape = (events: ReceivedEvent[]) => events.map(({ event, id, data }) => ({ event, id, data }));

/** Asks `content` in a new conversation on `instance`; the conversation and the stream id. */
async function askOn(instance: Instance, content: string) {
  const id = await createConversation(instance.url, auth);
  const started = await callJson(instance.url, "POST", "/api/chat", { conversationId: id, content }, auth);
  expect(started.status).toBe(202);
  return { id, streamId: started.json.streamId as string };
}

describe("tool steps across instances", () => {
  test("a viewer on B sees A's steps as A's viewer does, and moves from A to B mid-step with no gap", async () => {
    const { id, streamId } = await askOn(
      a,
      '/sim ttft_ms=5 tps=500 tokens=5 call=slow:{"ms":800} call=fast:{"text":"b"}\nTwo at once',
    );
    const onA = readStream(stream(a, streamId), { headers: bearer(ALICE), timeoutMs: 15_000 });
    const first = await readStream(stream(a, streamId), {
      headers: bearer(ALICE),
      closeWhen: (event) => event.event === "tool_arguments",
    });
    const rest = await readStream(stream(b, streamId), {
      headers: bearer(ALICE),
      lastEventId: first.events.at(-1)?.id,
      timeoutMs: 15_000,
    });
    const moved = [...first.events, ...rest.events];
    expect(moved.map((event) => Number(event.id))).toEqual(moved.map((_, index) => index + 1));
    const whole = await onA;
    expect(shape(moved)).toEqual(shape(whole.events));
    const onB = await readStream(stream(b, streamId), { headers: bearer(ALICE) });
    expect(shape(onB.events)).toEqual(shape(whole.events));
    expect(whole.events.filter((event) => event.event === "tool_result").length).toBe(2);
    const stored = (await answerStored(b.url, id, auth)).messages.at(-1) as unknown as Record<string, unknown>;
    expect((stored.tool_steps as { name: string }[]).map((step) => step.name).sort()).toEqual([
      "tests__fast",
      "tests__slow",
    ]);
  });

  test("Stop sent to B cancels the tool call running on A", async () => {
    const before = tools.calls.length;
    const { streamId } = await askOn(a, '/sim ttft_ms=5 call=slow:{"ms":20000}\nLong');
    expect(await eventually(async () => tools.calls.length === before + 1, 5_000)).toBe(true);
    const stop = await fetch(stream(b, streamId), { method: "DELETE", headers: bearer(ALICE) });
    expect(stop.status).toBeLessThan(300);
    expect(await eventually(async () => tools.calls[before]?.cancelled === true, 5_000)).toBe(true);
  });
});
