/**
 * `nginx -s reload` in the middle of a stream, as it really goes: the old worker keeps serving
 * the open stream until worker_shutdown_timeout (10 s, deploy/nginx/nginx.conf), then closes it;
 * the client reconnects with Last-Event-ID, through a new worker, and gets the rest: the whole
 * answer, no gap, no repeat.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { startChat } from "../../harness/client/chat.ts";
import { paced } from "../../harness/client/sim-prompt.ts";
import { answerText, type ReceivedEvent, readStream } from "../../harness/client/stream.ts";
import { type Stack, startStack } from "../../harness/stack/start-stack.ts";

// 300 tokens at 20 per second: 15 s, longer than the old worker's 10 s of grace.
const LONG = { tokens: 300, tps: 20 };
const RELOAD_AFTER_TOKENS = 10;

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
}, 60_000);

afterAll(() => stack?.stop(), 30_000);

function shutdownTimeoutMs(): number {
  const match = /^\s*worker_shutdown_timeout\s+(\d+)s;/m.exec(readFileSync(stack.prefix.confPath, "utf8"));
  return Number(match?.[1]) * 1_000;
}

const ids = (events: ReceivedEvent[]) => events.map((event) => Number(event.id));

test("a reload closes the stream only after the grace; Last-Event-ID resumes it exactly", async () => {
  const graceMs = shutdownTimeoutMs();
  const streamUrl = (await startChat(stack.url, paced(LONG.tokens, LONG.tps))).url;
  let reloadedAt = 0;
  let reloading: Promise<void> | undefined;
  const first = await readStream(streamUrl, {
    timeoutMs: graceMs + 10_000,
    onEvent: (_, events) => {
      if (events.length !== RELOAD_AFTER_TOKENS) return;
      reloadedAt = performance.now();
      reloading = stack.reloadNginx();
    },
  });
  await reloading;
  // The old worker served on through the reload, then cut the stream when its grace ran out.
  expect(first.ended).toBe("error");
  const cutAfterMs = (first.events.at(-1)?.at ?? 0) - reloadedAt;
  expect(cutAfterMs).toBeGreaterThan(graceMs - 2_000);
  expect(first.events.filter((event) => event.at > reloadedAt).length).toBeGreaterThan(LONG.tps * 5);
  expect(first.events.some((event) => event.event === "done")).toBe(false);

  const lastId = first.events.at(-1)?.id as string;
  const rest = await readStream(streamUrl, { headers: { "last-event-id": lastId }, timeoutMs: 30_000 });
  expect(rest.status).toBe(200);
  expect(rest.ended).toBe("eof");
  expect(rest.events.at(-1)?.event).toBe("done");

  // No gap, no repeat: ids run on from the last one seen, and the two parts make the whole answer.
  const joined = [...first.events, ...rest.events];
  expect(ids(joined)).toEqual(joined.map((_, index) => index + 1));
  const replay = await readStream(streamUrl, { timeoutMs: 10_000 });
  expect(answerText(joined)).toBe(answerText(replay.events));
  expect(joined.filter((event) => event.event === "token")).toHaveLength(LONG.tokens);
}, 60_000);
