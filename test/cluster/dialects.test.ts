/**
 * The Responses API and the AI SDK's chat across two instances sharing Redis and PostgreSQL: a
 * response started on A resumes on B from `starting_after`, is read and cancelled there, and is
 * continued on B with `previous_response_id`; a useChat answer started on A resumes from its start
 * on B and is stopped from B. The embedded simulators say which instance ran, or stopped, a call.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import type { ResponseStreamEvent } from "openai/resources/responses/responses";
import { callJson } from "../../harness/client/api.ts";
import { eventually } from "../../harness/client/poll.ts";
import { fetchSimStats } from "../../harness/client/sim-stats.ts";
import { breakingFetch, PlainChat } from "../../harness/client/ui-chat.ts";
import { ALICE, BOB, type Cluster, type Instance, startCluster } from "./instances.ts";

const LONG = "/sim tps=40 tokens=160\nkeep talking";
let cluster: Cluster;
let a: Instance;
let b: Instance;
beforeAll(async () => {
  cluster = await startCluster();
  [a, b] = await Promise.all([cluster.start("a"), cluster.start("b")]);
});
afterAll(() => cluster?.stop());

const openai = (instance: Instance, token = ALICE) =>
  new OpenAI({ baseURL: `${instance.url}/v1`, apiKey: token, maxRetries: 0 });
const cancelledOn = async (instance: Instance, streamId: string) =>
  (await fetchSimStats(instance.internal)).cancellations.some((entry) => entry.request_id === streamId);
const streamIdOf = (responseId: string) => responseId.slice("resp_".length).split(".")[0] as string;

describe("the Responses API on two instances", () => {
  test("started on A, dropped, resumed on B after starting_after: no gap, no repeat", async () => {
    const first: ResponseStreamEvent[] = [];
    for await (const event of await openai(a).responses.create({
      model: "demo",
      input: LONG,
      stream: true,
      background: true,
    })) {
      first.push(event);
      if (first.length === 30) break;
    }
    const id = first[0]?.type === "response.created" ? first[0].response.id : "";
    // Read on B while it runs: the object so far, as A would answer it.
    const running = await openai(b).responses.retrieve(id);
    expect(running.status).toBe("in_progress");
    const rest: ResponseStreamEvent[] = [];
    const after = first.at(-1)?.sequence_number as number;
    for await (const event of await openai(b).responses.retrieve(id, { stream: true, starting_after: after }))
      rest.push(event);
    const joined = [...first, ...rest];
    expect(joined.map((event) => event.sequence_number)).toEqual(joined.map((_, index) => index));
    expect(rest.at(-1)?.type).toBe("response.completed");
    expect((await openai(b).responses.retrieve(id)).output_text).toHaveLength(
      joined.flatMap((event) => (event.type === "response.output_text.delta" ? [event.delta] : [])).join("").length,
    );
    // Another user finds nothing, on either instance.
    for (const instance of [a, b]) {
      const other = await callJson(instance.url, "GET", `/v1/responses/${id}`, undefined, { token: BOB });
      expect(other.status).toBe(404);
    }
  });

  test("cancelled on B, the model call on A stops", async () => {
    const created = await openai(a).responses.create({ model: "demo", input: LONG, background: true });
    await Bun.sleep(300);
    const cancelled = await openai(b).responses.cancel(created.id);
    expect(cancelled.status).toBe("cancelled");
    expect(await eventually(() => cancelledOn(a, streamIdOf(created.id)), 3_000)).toBe(true);
    expect(await cancelledOn(b, streamIdOf(created.id))).toBe(false);
  });

  test("stored on A, continued on B with previous_response_id", async () => {
    const first = await openai(a).responses.create({ model: "demo", input: "/echo asked on A" });
    const second = await openai(b).responses.create({
      model: "demo",
      input: "/echo asked on B",
      previous_response_id: first.id,
    });
    expect(second.output_text).toBe("asked on B");
    expect(second.id.split(".")[1]).toBe(first.id.split(".")[1]);
  });
});

describe("the AI SDK's chat on two instances", () => {
  test("started on A, its connection broken, resumed from its start on B", async () => {
    const onA = new PlainChat({ api: `${a.url}/api/chat`, token: ALICE, fetch: breakingFetch(1_000) });
    await onA.sendMessage({ text: LONG });
    expect(onA.status).toBe("error");
    const onB = new PlainChat({ api: `${b.url}/api/chat`, token: ALICE, id: onA.id });
    await onB.resumeStream();
    expect(onB.status).toBe("ready");
    const stored = await callJson(b.url, "GET", `/api/chat/${onA.id}/messages`, undefined, { token: ALICE });
    expect(onB.lastText).toBe(stored.json.messages[1].parts[0].text);
    expect(onB.lastText.startsWith(onA.lastText)).toBe(true);
    // Bob's chat of the same id is another conversation: nothing runs in it.
    const bobs = await fetch(`${b.url}/api/chat/${onA.id}/stream`, { headers: { authorization: `Bearer ${BOB}` } });
    expect(bobs.status).toBe(204);
  });

  test("stopped from B, the model call on A stops", async () => {
    const chat = new PlainChat({ api: `${a.url}/api/chat`, token: ALICE });
    const sending = chat.sendMessage({ text: LONG });
    expect(await eventually(() => chat.messages.length === 2 && chat.lastText.length > 10, 5_000)).toBe(true);
    const stop = await callJson(b.url, "DELETE", `/api/chat/${chat.id}/stream`, undefined, { token: ALICE });
    expect(stop.json.finish_reason).toBe("cancelled");
    await sending;
    expect(await eventually(() => cancelledOn(a, stop.json.streamId), 3_000)).toBe(true);
  });
});
