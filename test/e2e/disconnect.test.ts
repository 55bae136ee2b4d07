/**
 * A client that goes away through nginx stops the model: nginx passes the abort on at once
 * (proxy_ignore_client_abort off), the app waits CANCEL_GRACE_MS for a reconnect, then aborts
 * the upstream request, and the simulator sees it cancelled long before the answer's end.
 *
 * The client leaves while the model is quiet (a simulated pause after 3 tokens). That is the case
 * the nginx setting decides: while tokens flow, a failed write to the gone client ends the request
 * anyway; in a pause, with proxy_ignore_client_abort on, nginx noticed only at the next heartbeat
 * (15 s later, measured), and these tests fail.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startChat } from "../../harness/client/chat.ts";
import { metricValue } from "../../harness/client/metrics.ts";
import { waitFor } from "../../harness/client/poll.ts";
import { paced } from "../../harness/client/sim-prompt.ts";
import { fetchSimStats } from "../../harness/client/sim-stats.ts";
import { readStream } from "../../harness/client/stream.ts";
import { epochMs } from "../../harness/measure/epoch.ts";
import { type Stack, startStack } from "../../harness/stack/start-stack.ts";
import { accessLog } from "./access-log.ts";

const GRACE_MS = 300;
// 300 tokens at 10 per second, with a 20 s pause after the third: the client leaves in the pause.
const LONG = { tokens: 300, tps: 10 };
const PAUSED_PROMPT = paced(LONG.tokens, LONG.tps, "Tell me about rivers", "stall:3:20000");
const DISCONNECTS = 'sluice_upstream_cancelled_total{reason="disconnect"}';

let stack: Stack;
let simulatorUrl: string;

beforeAll(async () => {
  stack = await startStack({ env: { CANCEL_GRACE_MS: String(GRACE_MS) } });
  simulatorUrl = stack.simulatorUrl as string;
}, 60_000);

afterAll(() => stack?.stop(), 30_000);

/** The simulator's record of the cancelled request `requestId`, once it has one. */
function cancellationOf(requestId: string) {
  return waitFor(`the simulator to see ${requestId} cancelled`, async () =>
    (await fetchSimStats(simulatorUrl)).cancellations.find((entry) => entry.request_id === requestId),
  );
}

test("leaving a stream through nginx cancels the model after the grace period", async () => {
  const disconnectsBefore = await metricValue(stack.metricsUrl, DISCONNECTS);
  const streamUrl = (await startChat(stack.url, PAUSED_PROMPT)).url;
  const streamId = new URL(streamUrl).pathname.split("/").at(-1) as string;
  let closedAt = 0;
  const stream = await readStream(streamUrl, {
    closeWhen: (_, events) => {
      if (events.filter((event) => event.event === "token").length < 3) return false;
      closedAt = epochMs();
      return true;
    },
  });
  expect(stream.ended).toBe("left");

  const cancellation = await cancellationOf(streamId);
  const afterClose = cancellation.seen_at_ms - closedAt;
  // The app kept the model going through the grace period (for a reconnect), then stopped it.
  expect(afterClose).toBeGreaterThanOrEqual(GRACE_MS - 50);
  expect(afterClose).toBeLessThan(GRACE_MS + 3_000);
  expect(cancellation.tokens_sent).toBe(3);
  expect(await metricValue(stack.metricsUrl, DISCONNECTS)).toBeGreaterThan(disconnectsBefore);

  // nginx ended the request when the client left, not when the answer would have ended. (Its
  // status stays 200: nginx logs 499 only when a client leaves before the response headers.)
  const logged = await waitFor("nginx to log the stream", () =>
    accessLog(stack.accessLogPath).find((entry) => entry.path === `/api/streams/${streamId}`),
  );
  expect(logged.request_time).toBeLessThan(LONG.tokens / LONG.tps / 2);
}, 30_000);

test("leaving an OpenAI pass-through stream cancels the model at once, and the request id travels", async () => {
  const requestId = `e2e-${crypto.randomUUID()}`;
  let closedAt = 0;
  const stream = await readStream(`${stack.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "x-request-id": requestId },
    body: { model: "demo", stream: true, messages: [{ role: "user", content: PAUSED_PROMPT }] },
    closeWhen: (_, events) => {
      if (events.length < 4) return false;
      closedAt = epochMs();
      return true;
    },
  });
  expect(stream.ended).toBe("left");
  // nginx forwarded the client's X-Request-Id; the app passed it on to the model.
  const cancellation = await cancellationOf(requestId);
  expect(cancellation.seen_at_ms - closedAt).toBeLessThan(3_000);
  expect(cancellation.tokens_sent).toBe(3);
}, 30_000);
