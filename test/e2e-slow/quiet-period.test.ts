/**
 * A model that goes quiet for 75 seconds mid-answer (a long "thinking" gap) does not cost the
 * stream through nginx. On /api/streams/:id the app's heartbeat comments keep the connection
 * busy; on the /v1 pass-through nothing is sent at all, and nginx's proxy_read_timeout (300 s,
 * where nginx's default is 60 s) is what lets it through.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { eventually } from "../../harness/client/poll.ts";
import type { ReceivedEvent } from "../../harness/client/stream.ts";
import { type Stack, startStack } from "../../harness/stack/start-stack.ts";
import { accessLog } from "../e2e/access-log.ts";
import { type StreamRoute, streamAnswer } from "../e2e/stream-routes.ts";

const SILENCE_MS = 75_000;
const TOKENS = 6;
// Two tokens, 75 s of silence, then the rest.
const STALL = { tokens: TOKENS, tps: 20, fault: `stall:2:${SILENCE_MS}` };

let stack: Stack;

beforeAll(async () => {
  // The app's own inter-token timeout (60 s by default) would end the answer first; this test is
  // about the proxy, so it waits longer than the silence.
  stack = await startStack({ env: { UPSTREAM_INTER_TOKEN_TIMEOUT_MS: String(SILENCE_MS + 45_000) } });
}, 60_000);

afterAll(() => stack?.stop(), 30_000);

function longestGapMs(tokens: ReceivedEvent[]): number {
  return Math.max(...tokens.slice(1).map((token, index) => token.at - (tokens[index] as ReceivedEvent).at));
}

async function quietStream(route: StreamRoute) {
  return streamAnswer(stack.url, route, STALL, { timeoutMs: SILENCE_MS + 30_000 });
}

test(
  "a 75-second silence from the model survives nginx, with and without heartbeats",
  async () => {
    const [streams, passThrough] = await Promise.all([
      quietStream("/api/streams/:id"),
      quietStream("/v1/chat/completions"),
    ]);
    for (const { stream, tokens } of [streams, passThrough]) {
      expect(stream.status).toBe(200);
      expect(stream.ended).toBe("eof");
      expect(tokens).toHaveLength(TOKENS);
      expect(longestGapMs(tokens)).toBeGreaterThan(SILENCE_MS - 1_000);
    }
    expect(streams.stream.events.at(-1)?.event).toBe("done");
    // The app's ": ping" comments (every HEARTBEAT_MS, 15 s) crossed nginx during the silence.
    expect(streams.stream.comments.length).toBeGreaterThanOrEqual(Math.floor(SILENCE_MS / 15_000) - 1);
    expect(passThrough.stream.events.at(-1)?.data).toBe("[DONE]");

    // nginx writes a request's log line once the response is done, a moment after the client read its end.
    const logged = () => accessLog(stack.accessLogPath).filter((entry) => entry.request_time * 1_000 >= SILENCE_MS);
    await eventually(async () => logged().length >= 2, 5_000);
    expect(logged().map((entry) => entry.status)).toEqual([200, 200]);
  },
  SILENCE_MS + 60_000,
);
