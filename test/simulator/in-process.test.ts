/**
 * The simulator mounted in-process, as the app embeds it for the `demo` model: `handle()`
 * with a Request, `/sim` prefixed routes, and cancellation through the Request's own signal
 * or the body's cancel(), each counted once.
 */
import { describe, expect, test } from "bun:test";
import { createSimulator } from "../../src/simulator/server.ts";
import { contentTokens, readEvents, userMessage } from "./support.ts";

const settings = { ttftMs: 5, tokensPerSecond: 1000, maxTokens: 8 };

function chatRequest(content: string, init: { signal?: AbortSignal; stream?: boolean; path?: string } = {}) {
  return new Request(`http://sluice.test${init.path ?? "/sim/v1/chat/completions"}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-request-id": "in-process" },
    body: JSON.stringify({ stream: init.stream ?? true, messages: userMessage(content) }),
    signal: init.signal,
  });
}

describe("in-process simulator", () => {
  test("serves /sim/v1/chat/completions and /v1/chat/completions alike", async () => {
    const simulator = createSimulator(settings);
    const mounted = contentTokens(await readEvents(await simulator.handle(chatRequest("Same"))));
    const bare = contentTokens(
      await readEvents(await simulator.handle(chatRequest("Same", { path: "/v1/chat/completions" }))),
    );
    expect(mounted).toHaveLength(8);
    expect(bare).toEqual(mounted);
    expect(simulator.stats()).toMatchObject({ started: 2, completed: 2, active: 0 });
  });

  test("aborting the Request's signal mid-stream stops it and counts one cancel", async () => {
    const simulator = createSimulator(settings);
    const controller = new AbortController();
    const response = await simulator.handle(chatRequest("/sim tps=100 tokens=100\nGo", { signal: controller.signal }));
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    controller.abort();
    // Both ways of noticing fire here (the signal, then the reader's cancel): still one cancel.
    await reader.cancel();
    await Bun.sleep(30);
    const stats = simulator.stats();
    expect(stats).toMatchObject({ started: 1, cancelled: 1, completed: 0, active: 0 });
    expect(stats.cancellations).toEqual([{ request_id: "in-process", seen_at_ms: expect.any(Number), tokens_sent: 0 }]);
  });

  test("cancelling the body alone is a disconnect too", async () => {
    const simulator = createSimulator(settings);
    const response = await simulator.handle(chatRequest("/sim ttft_ms=0 tps=50 tokens=100\nGo"));
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let text = "";
    while (!text.includes('"content":" ')) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    const [record] = simulator.stats().cancellations;
    expect(simulator.stats()).toMatchObject({ cancelled: 1, active: 0 });
    expect(record?.tokens_sent).toBeGreaterThanOrEqual(1);
  });

  test("a hang settles when the request is aborted, and a non-stream wait too", async () => {
    const simulator = createSimulator(settings);
    for (const content of ["/sim fault=hang\nx", "/sim ttft_ms=10000\nx"]) {
      const controller = new AbortController();
      const pending = simulator.handle(chatRequest(content, { signal: controller.signal, stream: false }));
      await Bun.sleep(10);
      expect(simulator.stats().active).toBe(1);
      controller.abort();
      await pending;
    }
    expect(simulator.stats()).toMatchObject({ started: 2, cancelled: 2, active: 0 });
  });

  test("stats reset keeps active requests active", async () => {
    const simulator = createSimulator(settings);
    const controller = new AbortController();
    const pending = simulator.handle(chatRequest("/sim fault=hang\nx", { signal: controller.signal }));
    await Bun.sleep(10);
    expect(simulator.stats().active).toBe(1);
    await simulator.handle(new Request("http://sluice.test/sim/stats/reset", { method: "POST" }));
    expect(simulator.stats()).toMatchObject({ started: 0, active: 1 });
    controller.abort();
    await pending;
    expect(simulator.stats()).toMatchObject({ started: 0, cancelled: 1, active: 0 });
  });
});
