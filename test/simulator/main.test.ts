/**
 * The standalone entry point: a bad setting stops it at start-up with the variable named;
 * SIGTERM and SIGINT shut it down cleanly, even with a stream open.
 */
import { describe, expect, test } from "bun:test";
import { startSimulator } from "../../harness/stack/spawn.ts";
import { postChat, userMessage } from "./support.ts";

describe("simulator main", () => {
  test("a bad setting exits 1 naming the variable", async () => {
    const failure = await startSimulator({ SIM_TOKENS_PER_SECOND: "fast" }).then(
      () => new Error("started"),
      (error: Error) => error,
    );
    expect(failure.message).toContain("exited with 1");
    expect(failure.message).toContain("SIM_TOKENS_PER_SECOND");
  });

  test("prints where it listens and the settings in effect", async () => {
    const sim = await startSimulator({ SIM_TTFT_MS: "7" });
    try {
      expect(sim.output()).toContain(`Sluice simulator listening on http://127.0.0.1:${sim.port}`);
      expect(sim.output()).toContain('"ttftMs":7');
    } finally {
      await sim.stop();
    }
  });

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    test(`${signal} with a stream open exits 0 promptly`, async () => {
      const sim = await startSimulator();
      const response = await postChat(sim.url, {
        stream: true,
        messages: userMessage("/sim ttft_ms=0 tps=1 tokens=100\nx"),
      });
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      await reader.read();
      const sentAt = performance.now();
      sim.process.kill(signal);
      const code = await Promise.race([sim.process.exited, Bun.sleep(4_000).then(() => "still running")]);
      await sim.stop();
      expect(code).toBe(0);
      expect(performance.now() - sentAt).toBeLessThan(3_000);
      expect(sim.output()).toContain(`${signal}, shutting down`);
      await reader.cancel().catch(() => {});
    });
  }
});
