/**
 * Tokens stream through the real nginx as the model produces them, on every streaming route, for a
 * client that asks for gzip as browsers do. The same checks run against the negative control (the
 * same template with buffering on, the app's X-Accel-Buffering ignored and gzip on
 * text/event-stream) and must fail there: proof that they can see bunching at all.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Stack, startStack } from "../../harness/stack/start-stack.ts";
import { STREAM_ROUTES, streamAnswer } from "./stream-routes.ts";
import { checkFlushPerToken, checkStreaming } from "./streaming-checks.ts";

// 40 tokens at 20 per second: the last token comes about 2 s after the first.
const FAST = { tokens: 40, tps: 20 };
// 8 tokens at 5 per second: 200 ms between tokens, far apart enough to see each on its own.
const SLOW = { tokens: 8, tps: 5 };

let production: Stack;
let control: Stack;

beforeAll(async () => {
  production = await startStack();
  control = await startStack({ variant: "negative-control" });
}, 60_000);

afterAll(async () => {
  await Promise.all([production?.stop(), control?.stop()]);
}, 30_000);

describe("through the production nginx", () => {
  test.each(STREAM_ROUTES)(
    "%s streams: the first token arrives long before the last",
    async (route) => {
      const { stream, tokens } = await streamAnswer(production.url, route, FAST);
      expect(stream.status).toBe(200);
      expect(stream.ended).toBe("eof");
      // Asked for gzip, and rightly did not get it for an event stream.
      expect(stream.headers.get("content-encoding")).toBeNull();
      const verdict = checkStreaming(tokens, FAST);
      expect(verdict.ok, verdict.detail).toBe(true);
    },
    30_000,
  );

  test.each(STREAM_ROUTES)(
    "%s flushes every token on its own, on time",
    async (route) => {
      const { stream, tokens } = await streamAnswer(production.url, route, SLOW);
      expect(stream.status).toBe(200);
      const verdict = checkFlushPerToken(tokens, SLOW);
      expect(verdict.ok, verdict.detail).toBe(true);
    },
    30_000,
  );
});

describe("through the negative control, the same checks fail", () => {
  test.each(STREAM_ROUTES)(
    "%s: tokens arrive bunched",
    async (route) => {
      const { stream, tokens } = await streamAnswer(control.url, route, FAST);
      expect(stream.status).toBe(200);
      expect(stream.headers.get("content-encoding")).toBe("gzip");
      // Every token still arrives: the control delays, it does not lose.
      expect(tokens).toHaveLength(FAST.tokens);
      const verdict = checkStreaming(tokens, FAST);
      console.log(`negative control, ${route}: streaming check fails as it should: ${verdict.detail}`);
      expect(verdict.ok, `the streaming check passed against the control: ${verdict.detail}`).toBe(false);
    },
    30_000,
  );

  test("/api/streams/:id: the flush-per-token check fails", async () => {
    const { tokens } = await streamAnswer(control.url, "/api/streams/:id", SLOW);
    const verdict = checkFlushPerToken(tokens, SLOW);
    console.log(`negative control, /api/streams/:id: flush check fails as it should: ${verdict.detail}`);
    expect(verdict.ok, `the flush check passed against the control: ${verdict.detail}`).toBe(false);
  }, 30_000);
});
