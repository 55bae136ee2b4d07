import { expect, test } from "bun:test";
import { TOKEN_MEMORY_BYTES } from "../../src/generation/event-log.ts";
import { GENERATION_OVERHEAD_BYTES, GenerationRegistry, type NewGeneration } from "../../src/generation/registry.ts";
import type { UpstreamSink } from "../../src/upstream/chat-stream.ts";

/** A generation whose upstream sends `text` at once, then waits for `release` (or an abort). */
function answer(text: string, release: Promise<void>): NewGeneration {
  return {
    owner: "alice",
    model: "demo",
    upstream: async (signal, _id, sink) => {
      sink.token(text);
      sink.readEnd();
      await Promise.race([release, new Promise((resolve) => signal.addEventListener("abort", resolve))]);
      sink.finish("stop");
    },
    timeouts: { firstTokenMs: 5_000, interTokenMs: 5_000 },
    cancelGraceMs: 5_000,
    maxEvents: 1_000,
    maxBytes: 1_000_000,
  };
}

test("running answers that fill RETAINED_BYTES_MAX refuse new ones with server_busy, counted as retained_bytes", async () => {
  const refusals: string[] = [];
  // Each holds one token of 10,000 characters: 20,000 bytes as UTF-16, with its entry and generation.
  const budget = 3 * (2 * 10_000 + TOKEN_MEMORY_BYTES + GENERATION_OVERHEAD_BYTES);
  const registry = new GenerationRegistry({
    maxActive: 100,
    retentionMs: 60_000,
    retainedBytesMax: budget,
    rejected: (reason) => refusals.push(reason),
  });
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const running = [0, 1, 2].map(() => registry.create(answer("x".repeat(10_000), held)));
  await Bun.sleep(10);
  expect(registry.retainedBytes).toBe(budget);
  expect(() => registry.create(answer("y", held))).toThrow(expect.objectContaining({ code: "server_busy" }));
  expect(refusals).toEqual(["retained_bytes"]);
  release();
  await Promise.all(running.map((generation) => generation.settled));
  await Bun.sleep(0);
  // Finished now: the oldest makes room for the next, and is forgotten.
  const next = registry.create(answer("z".repeat(10_000), Promise.resolve()));
  await next.settled;
  await Bun.sleep(0);
  expect(registry.find(running[0]?.id ?? "", "alice")).toBeUndefined();
  expect(registry.find(running[2]?.id ?? "", "alice")).toBeDefined();
  expect(registry.find(next.id, "alice")).toBeDefined();
  expect(registry.retainedBytes).toBeLessThanOrEqual(budget);
});

test("what running answers hold is counted as their logs grow, and moves whole to the finished at their end", async () => {
  const registry = new GenerationRegistry({ maxActive: 100, retentionMs: 60_000, retainedBytesMax: 2 ** 40 });
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const sinks: UpstreamSink[] = [];
  const running = [0, 1, 2].map(() =>
    registry.create({
      ...answer("", held),
      upstream: async (_signal, _id, sink) => {
        sinks.push(sink);
        await held;
        sink.finish("stop");
      },
    }),
  );
  const sum = () =>
    running.reduce((bytes, generation) => bytes + generation.log.memoryBytes + GENERATION_OVERHEAD_BYTES, 0);
  expect(registry.retainedBytes).toBe(3 * GENERATION_OVERHEAD_BYTES);
  // Tokens in the same turn as the reads: each read counts them.
  for (const [index, sink] of sinks.entries()) {
    for (let token = 0; token < 40; token++) sink.token("x".repeat(index + 1));
    expect(registry.retainedBytes).toBe(sum());
  }
  expect(registry.retainedBytes).toBeGreaterThan(3 * GENERATION_OVERHEAD_BYTES);
  release();
  await Promise.all(running.map((generation) => generation.settled));
  await Bun.sleep(0);
  expect(registry.retainedBytes).toBe(sum());
});
