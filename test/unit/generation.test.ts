import { describe, expect, test } from "bun:test";
import { Generation, type GenerationOptions } from "../../src/generation/generation.ts";
import type { Upstream } from "../../src/upstream/chat-stream.ts";

/** A fake upstream: `count` tokens, `gapMs` apart, each its own read, that ends quietly when aborted (as the client does). */
function upstream(count: number, gapMs: number, seen: { aborted?: unknown } = {}): Upstream {
  return async (signal, _id, sink) => {
    for (let i = 0; i < count; i++) {
      await Bun.sleep(gapMs);
      if (signal.aborted) {
        seen.aborted = signal.reason;
        return;
      }
      sink.token(`t${i} `);
      sink.readEnd();
    }
    sink.finish("stop");
    sink.usage({ prompt_tokens: 3, completion_tokens: count, total_tokens: count + 3 });
    sink.readEnd();
  };
}

function generation(overrides: Partial<GenerationOptions>): Generation {
  return new Generation({
    id: "g",
    owner: "alice",
    model: "demo",
    upstream: upstream(5, 1),
    timeouts: { firstTokenMs: 5_000, interTokenMs: 5_000 },
    cancelGraceMs: 5_000,
    claimTimeoutMs: 5_000,
    maxEvents: 1_000,
    maxBytes: 1_000_000,
    ...overrides,
  });
}

describe("Generation", () => {
  test("records tokens then done with the upstream's usage; ids count from 1", async () => {
    const outcome = await generation({}).settled;
    expect(outcome.text).toBe("t0 t1 t2 t3 t4 ");
    expect(outcome.end).toMatchObject({ type: "done", id: 6, finish_reason: "stop", usage: { completion_tokens: 5 } });
  });

  test("stops at maxEvents with finish_reason length, aborting the upstream", async () => {
    const seen: { aborted?: unknown } = {};
    const capped = generation({ upstream: upstream(100, 1, seen), maxEvents: 10 });
    const outcome = await capped.settled;
    expect(capped.events).toHaveLength(10);
    expect(outcome.end).toMatchObject({ type: "done", finish_reason: "length" });
    expect(seen.aborted).toBe("length");
  });

  test("cancel(stop) ends with done cancelled and partial usage", async () => {
    const running = generation({ upstream: upstream(100, 5) });
    await Bun.sleep(30);
    running.cancel("stop");
    const { end } = await running.settled;
    expect(end.type === "done" && end.finish_reason).toBe("cancelled");
    expect(end.type === "done" && end.usage.completion_tokens).toBe(running.events.length - 1);
  });

  test("the last viewer leaving starts the grace; a returning viewer stops it", async () => {
    const seen: { aborted?: unknown } = {};
    const running = generation({ upstream: upstream(40, 5, seen), cancelGraceMs: 60 });
    running.attach().release();
    await Bun.sleep(30);
    const again = running.attach();
    await Bun.sleep(80);
    expect(seen.aborted).toBeUndefined();
    again.release();
    const { end } = await running.settled;
    expect(seen.aborted).toBe("disconnect");
    expect(end.type === "done" && end.finish_reason).toBe("cancelled");
  });

  test("grace 0 cancels as soon as the last viewer leaves", async () => {
    const seen: { aborted?: unknown } = {};
    const running = generation({ upstream: upstream(40, 5, seen), cancelGraceMs: 0 });
    running.attach().release();
    await running.settled;
    expect(seen.aborted).toBe("disconnect");
  });

  test("no first token in time → upstream_timeout error, and no done", async () => {
    const timeouts = { firstTokenMs: 50, interTokenMs: 5_000 };
    const { end } = await generation({ upstream: upstream(3, 200), timeouts }).settled;
    expect(end).toMatchObject({ type: "error", code: "upstream_timeout", retryable: true });
    expect(end).toMatchObject({ message: "the model sent no first token within 50 ms" });
  });

  test("a gap between tokens longer than the limit → upstream_timeout", async () => {
    const stalls: Upstream = async (signal, _id, sink) => {
      sink.token("a");
      sink.readEnd();
      await Bun.sleep(200);
      if (!signal.aborted) sink.token("b");
    };
    const running = generation({ upstream: stalls, timeouts: { firstTokenMs: 5_000, interTokenMs: 50 } });
    const { end, text } = await running.settled;
    expect(text).toBe("a");
    expect(end).toMatchObject({
      type: "error",
      code: "upstream_timeout",
      message: "the model sent no next token within 50 ms",
    });
  });

  test("onEvent tells a listener after each read's events, the end included, until offEvent", async () => {
    const running = generation({ upstream: upstream(2, 20) });
    const seen: number[] = [];
    const listener = { eventsRecorded: () => seen.push(running.log.length) };
    running.onEvent(listener);
    await running.settled;
    expect(seen).toEqual([1, 2, 3]);
    expect(running.ended).toBe(true);
    running.offEvent(listener);

    const stopped = generation({ upstream: upstream(2, 20) });
    const heard: number[] = [];
    const early = { eventsRecorded: () => heard.push(stopped.log.length) };
    stopped.onEvent(early);
    stopped.offEvent(early);
    await stopped.settled;
    expect(heard).toEqual([]);
  });

  test("the tokens of one read reach a listener in one call", async () => {
    const bunched: Upstream = async (_signal, _id, sink) => {
      await Bun.sleep(1);
      for (const text of ["a", "b", "c"]) sink.token(text);
      sink.readEnd();
      sink.token("d");
      sink.finish("stop");
      sink.readEnd();
    };
    const running = generation({ upstream: bunched });
    const seen: number[] = [];
    running.onEvent({ eventsRecorded: () => seen.push(running.log.length) });
    const { text } = await running.settled;
    expect(text).toBe("abcd");
    expect(seen).toEqual([3, 4, 5]);
  });
});
