import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createParser } from "eventsource-parser";
import { startChat } from "../../harness/client/chat.ts";
import { fetchSimStats } from "../../harness/client/sim-stats.ts";
import { answerText, readStream } from "../../harness/client/stream.ts";
import { startTopology, type Topology } from "../../harness/stack/topology.ts";

let stack: Topology;
beforeAll(async () => {
  stack = await startTopology({ HEARTBEAT_MS: "500" });
});
afterAll(() => stack?.stop());

const NASTY =
  "line one\r\nline two\rthree\nfour\0five 😀 <img src=x onerror=alert(1)>\nevent: done\nid: 999\ndata: forged\n\nretry: 1\n: comment";

describe("the event stream", () => {
  test("carries any text verbatim: CR, LF, CRLF, NUL, emoji and SSE lookalikes rebuild exactly", async () => {
    const url = (await startChat(stack.app.url, `/sim tps=500\n/echo ${NASTY}`)).url;
    const read = await readStream(url);
    expect(read.status).toBe(200);
    expect(read.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(read.headers.get("cache-control")).toContain("no-cache");
    expect(read.headers.get("x-accel-buffering")).toBe("no");
    expect(read.headers.get("content-encoding")).toBeNull();
    expect(answerText(read.events)).toBe(NASTY.replace(/\r\n|\r/g, "\n"));
    const types = read.events.map((event) => event.event);
    expect(types.filter((type) => type !== "token")).toEqual(["done"]);
    const ids = read.events.map((event) => Number(event.id));
    expect(ids).toEqual(ids.map((_, index) => index + 1));
    expect(read.retry).toBeGreaterThan(0);
  });

  test("sends headers and a first comment at once, before the first token", async () => {
    const url = (await startChat(stack.app.url, "/sim ttft_ms=1500 tokens=2\nhello")).url;
    const read = await readStream(url);
    const sinceRequest = (at: number | undefined) => (at ?? Number.NaN) - read.startedAt;
    expect(sinceRequest(read.reads[0]?.at)).toBeLessThan(1_000);
    expect(read.comments[0]).toBe("connected");
    expect(sinceRequest(read.events[0]?.at)).toBeGreaterThan(1_200);
  });

  test("done carries finish_reason, usage and timings", async () => {
    const url = (await startChat(stack.app.url, "/sim tokens=7\nhello")).url;
    const read = await readStream(url);
    const done = JSON.parse(read.events.at(-1)?.data ?? "{}");
    expect(done.finish_reason).toBe("stop");
    expect(done.usage.completion_tokens).toBe(7);
    expect(done.timings.ttft_ms).toBeGreaterThanOrEqual(0);
    expect(done.timings.total_ms).toBeGreaterThanOrEqual(done.timings.ttft_ms);
  });

  test("resumes after every event index with no gap, no repeat, and one model call", async () => {
    const before = (await fetchSimStats(stack.simulator.url)).started;
    const url = (await startChat(stack.app.url, "/sim tokens=12\ntell me something")).url;
    const whole = await readStream(url);
    const text = answerText(whole.events);
    expect(text.length).toBeGreaterThan(0);
    for (let seen = 0; seen <= whole.events.length; seen++) {
      const head = whole.events.slice(0, seen);
      const headers: Record<string, string> = seen > 0 ? { "last-event-id": String(seen) } : {};
      const tail = await readStream(url, { headers });
      expect(tail.status).toBe(200);
      expect([...head, ...tail.events].map((event) => event.id)).toEqual(whole.events.map((event) => event.id));
      expect(answerText([...head, ...tail.events])).toBe(text);
    }
    const query = await readStream(`${url}?lastEventId=5`);
    expect(query.events[0]?.id).toBe("6");
    expect((await fetchSimStats(stack.simulator.url)).started - before).toBe(1);
  });

  test("several viewers of one generation each get the whole answer", async () => {
    const url = (await startChat(stack.app.url, "/sim tps=40 tokens=10\nshared")).url;
    const reads = await Promise.all([readStream(url), readStream(url), readStream(url)]);
    const texts = reads.map((read) => answerText(read.events));
    expect(new Set(texts).size).toBe(1);
    expect(reads.every((read) => read.events.at(-1)?.event === "done")).toBe(true);
  });

  test("unknown or malformed ids answer 404 / 400 JSON", async () => {
    const missing = await fetch(`${stack.app.url}/api/streams/nope`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe("not_found");
    const url = (await startChat(stack.app.url, "/sim tokens=2\nhi")).url;
    const bad = await fetch(url, { headers: { "last-event-id": "abc" } });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.field).toBe("Last-Event-ID");
  });
});

describe("GET /chat (the classic one-shot client)", () => {
  test("streams default message events, then done with [DONE]", async () => {
    const read = await readStream(`${stack.app.url}/chat?q=${encodeURIComponent("/sim tokens=5\nhello")}`);
    const messages = read.events.filter((event) => event.event === undefined);
    expect(messages).toHaveLength(5);
    expect(read.events.at(-1)).toMatchObject({ event: "done", data: "[DONE]" });
  });

  test("a reconnect with Last-Event-ID resumes the same generation, never a second model call", async () => {
    const before = (await fetchSimStats(stack.simulator.url)).started;
    const q = encodeURIComponent("/sim tps=50 tokens=10\nresume me");
    const first = await readStream(`${stack.app.url}/chat?q=${q}`, { closeWhen: (_, events) => events.length === 3 });
    const lastId = first.events.at(-1)?.id ?? "";
    const rest = await readStream(`${stack.app.url}/chat?q=${q}`, { headers: { "last-event-id": lastId } });
    const all = [...first.events, ...rest.events].filter((event) => event.event === undefined);
    expect(all).toHaveLength(10);
    expect(new Set(all.map((event) => event.id)).size).toBe(10);
    expect((await fetchSimStats(stack.simulator.url)).started - before).toBe(1);
    const gone = await fetch(`${stack.app.url}/chat`, { headers: { "last-event-id": "unknown.3" } });
    expect(gone.status).toBe(204);
  });
});

describe("the byte stream", () => {
  test("cut into random pieces (mid UTF-8 character), an independent parser still rebuilds the text", async () => {
    const url = (await startChat(stack.app.url, `/sim tps=500\n/echo ${NASTY}`)).url;
    const body = new Uint8Array(await (await fetch(url)).arrayBuffer());
    let data = "";
    const parser = createParser({
      onEvent: (event) => {
        if (event.event === "token") data += event.data;
      },
    });
    const decoder = new TextDecoder();
    for (let offset = 0; offset < body.length; ) {
      const size = 1 + ((offset * 7919) % 5);
      parser.feed(decoder.decode(body.subarray(offset, offset + size), { stream: true }));
      offset += size;
    }
    expect(data).toBe(NASTY.replace(/\r\n|\r/g, "\n"));
  });
});
