/**
 * A running answer keeps what it streams, not what it asked: once the model's response has begun,
 * the request (the whole conversation, which can be megabytes of context) is garbage, however
 * long the answer runs. Proved on the real path: an admission's start, the `openai` client over
 * the socket transport, the simulator at the other end, and a full collection while the answer streams.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type Started, startSimulator } from "../../harness/stack/spawn.ts";
import { loadConfig } from "../../src/config.ts";
import type { Generation } from "../../src/generation/generation.ts";
import { silentObserver } from "../../src/generation/observer.ts";
import { GenerationRegistry } from "../../src/generation/registry.ts";
import { generationReserver } from "../../src/generation-reserver.ts";
import { InflightBytes } from "../../src/limits/inflight-bytes.ts";
import { localLimiter, UserLimits } from "../../src/limits/user-limits.ts";
import type { Metrics } from "../../src/metrics/metrics.ts";
import type { ChatRequest } from "../../src/upstream/chat-stream.ts";
import { createUpstreamClient } from "../../src/upstream/client.ts";
import { IncludeUsagePolicy } from "../../src/upstream/usage-request.ts";

let simulator: Started;
beforeAll(async () => {
  simulator = await startSimulator();
});
afterAll(() => simulator?.stop());

function reserver() {
  const config = loadConfig({});
  return generationReserver({
    config,
    registry: new GenerationRegistry({ maxActive: 10, retentionMs: 60_000, retainedBytesMax: 64 * 1024 * 1024 }),
    userLimits: localLimiter(new UserLimits({ concurrent: 10, perMinute: 100, openStreams: 10 })),
    inflight: new InflightBytes(64 * 1024 * 1024),
    shared: undefined,
    upstream: createUpstreamClient({ baseUrl: `${simulator.url}/v1`, apiKey: undefined }),
    timeouts: { firstTokenMs: 10_000, interTokenMs: 10_000 },
    metrics: { observer: silentObserver } as unknown as Metrics,
    includeUsage: new IncludeUsagePolicy("on"),
    accounting: undefined,
    toolbox: undefined,
  });
}

/** Starts a slow answer to a long conversation; only a weak reference to its messages is kept here. */
async function startLongConversation(
  modelApi: "chat" | "responses",
): Promise<{ generation: Generation; messages: WeakRef<object> }> {
  const context = Array.from({ length: 200 }, (_, turn) => ({
    role: turn % 2 === 0 ? ("user" as const) : ("assistant" as const),
    content: `turn ${turn}: ${"words of an earlier turn ".repeat(40)}`,
  }));
  const request: ChatRequest = {
    model: "sim",
    messages: [...context, { role: "user", content: "/sim tokens=200 tps=20\nanswer slowly" }],
  };
  const admission = await reserver()({ user: "alice", limitKey: "alice" });
  const generation = await admission.start(request, { modelApi });
  return { generation, messages: new WeakRef(request.messages) };
}

async function collected(reference: WeakRef<object>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    Bun.gc(true);
    if (reference.deref() === undefined) return true;
    await Bun.sleep(50);
  }
  return false;
}

// The Responses API path (responses-stream.ts) is split the same way; the simulator speaks chat completions only.
for (const modelApi of ["chat"] as const)
  test(`a running answer lets its request go once the model has begun to answer (${modelApi})`, async () => {
    const { generation, messages } = await startLongConversation(modelApi);
    try {
      const deadline = Date.now() + 10_000;
      while (generation.log.tokenCount < 3 && Date.now() < deadline) await Bun.sleep(20);
      expect(generation.log.tokenCount).toBeGreaterThanOrEqual(3);
      expect(await collected(messages, 3_000)).toBe(true);
      // Still streaming: the request went while the answer runs, not because it ended.
      expect(generation.ended).toBe(false);
    } finally {
      generation.cancel("stop");
      await generation.settled;
    }
  });
