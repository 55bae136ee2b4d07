import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { startChat } from "../../harness/client/chat.ts";
import { createConversation, readConversation, sendMessage } from "../../harness/client/conversations.ts";
import { metricValue } from "../../harness/client/metrics.ts";
import { eventually } from "../../harness/client/poll.ts";
import { fetchSimStats } from "../../harness/client/sim-stats.ts";
import { readStream } from "../../harness/client/stream.ts";
import { internalUrl } from "../../harness/stack/spawn.ts";
import { startTopology, type Topology } from "../../harness/stack/topology.ts";

const GRACE_MS = 1_500;
let stack: Topology;
beforeAll(async () => {
  stack = await startTopology({ CANCEL_GRACE_MS: String(GRACE_MS) });
});
afterAll(() => stack?.stop());

const cancelled = async () => (await fetchSimStats(stack.simulator.url)).cancelled;
const SLOW = "/sim tps=10 tokens=200\nkeep talking";

describe("cancel policy", () => {
  test("Stop aborts the upstream call at once; viewers get done with finish_reason cancelled", async () => {
    const before = await cancelled();
    const stopsBefore = await metricValue(internalUrl(stack.app), 'sluice_upstream_cancelled_total{reason="stop"}');
    const url = (await startChat(stack.app.url, SLOW)).url;
    const streamId = url.split("/").at(-1) ?? "";
    const watching = readStream(url, { timeoutMs: 10_000 });
    await Bun.sleep(400);
    const sentAt = performance.timeOrigin + performance.now();
    const stop = await fetch(url, { method: "DELETE" });
    expect(await stop.json()).toMatchObject({ status: "ended", finish_reason: "cancelled" });
    const read = await watching;
    const done = JSON.parse(read.events.at(-1)?.data ?? "{}");
    expect(read.events.at(-1)?.event).toBe("done");
    expect(done.finish_reason).toBe("cancelled");
    expect(done.usage.completion_tokens).toBe(read.events.length - 1);
    expect(await eventually(async () => (await cancelled()) === before + 1, 2_000)).toBe(true);
    const record = (await fetchSimStats(stack.simulator.url)).cancellations.find((c) => c.request_id === streamId);
    expect(record).toBeDefined();
    expect((record?.seen_at_ms ?? 0) - sentAt).toBeLessThan(500);
    expect(await metricValue(internalUrl(stack.app), 'sluice_upstream_cancelled_total{reason="stop"}')).toBe(
      stopsBefore + 1,
    );
  });

  test("a client that leaves is cancelled after the grace, not before", async () => {
    const before = await cancelled();
    const disconnectsBefore = await metricValue(
      internalUrl(stack.app),
      'sluice_upstream_cancelled_total{reason="disconnect"}',
    );
    const url = (await startChat(stack.app.url, SLOW)).url;
    await readStream(url, { closeWhen: (_, events) => events.length === 2 });
    const leftAt = performance.now();
    await Bun.sleep(GRACE_MS / 2);
    expect(await cancelled()).toBe(before);
    expect(await eventually(async () => (await cancelled()) === before + 1, GRACE_MS * 3)).toBe(true);
    expect(performance.now() - leftAt).toBeGreaterThanOrEqual(GRACE_MS - 100);
    expect(await metricValue(internalUrl(stack.app), 'sluice_upstream_cancelled_total{reason="disconnect"}')).toBe(
      disconnectsBefore + 1,
    );
  });

  test("a conversation's answer runs on when its viewer leaves, and is stored complete", async () => {
    const before = await cancelled();
    const id = await createConversation(stack.app.url);
    const started = await sendMessage(stack.app.url, id, "/sim tps=40 tokens=80\nkeep going");
    await readStream(`${stack.app.url}${started.json.streamUrl}`, { closeWhen: (_, events) => events.length === 2 });
    const stored = async () => (await readConversation(stack.app.url, id)).messages.at(-1);
    // Well past the grace: a one-shot stream would have been cancelled by now.
    expect(await eventually(async () => (await stored())?.role === "assistant", GRACE_MS * 4)).toBe(true);
    expect(await stored()).toMatchObject({ status: "complete" });
    expect(await cancelled()).toBe(before);
  });

  test("a client that returns within the grace resumes, and nothing is cancelled", async () => {
    const before = await cancelled();
    const url = (await startChat(stack.app.url, "/sim tps=20 tokens=30\ncome back")).url;
    const first = await readStream(url, { closeWhen: (_, events) => events.length === 5 });
    await Bun.sleep(GRACE_MS / 2);
    const rest = await readStream(url, { headers: { "last-event-id": first.events.at(-1)?.id ?? "" } });
    const all = [...first.events, ...rest.events];
    expect(all.map((event) => Number(event.id))).toEqual(all.map((_, index) => index + 1));
    expect(all.at(-1)?.event).toBe("done");
    expect(JSON.parse(all.at(-1)?.data ?? "{}").finish_reason).toBe("stop");
    await Bun.sleep(GRACE_MS);
    expect(await cancelled()).toBe(before);
  });

  test("a pass-through client that disconnects cancels its upstream call at once", async () => {
    const before = await cancelled();
    const client = new OpenAI({ baseURL: `${stack.app.url}/v1`, apiKey: "none", maxRetries: 0 });
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: "demo", stream: true, messages: [{ role: "user", content: SLOW }] },
      { signal: controller.signal },
    );
    let chunks = 0;
    for await (const _ of stream) if (++chunks === 3) break;
    const leftAt = performance.now();
    expect(await eventually(async () => (await cancelled()) === before + 1, 2_000)).toBe(true);
    expect(performance.now() - leftAt).toBeLessThan(GRACE_MS);
  });
});
