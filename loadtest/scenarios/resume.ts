/**
 * resume — clients that drop the connection mid-answer and reconnect with Last-Event-ID, as
 * EventSource does: across all their connections they must receive every token exactly once,
 * in order, and the text must equal a full replay of the stream read afterwards.
 *
 *   SLUICE_URL=http://127.0.0.1:8080 CLIENTS=100 DROPS=3 bun loadtest/run.ts resume
 */

import { simMessages } from "../../harness/client/sim-prompt.ts";
import { directivesOf, pacingSettings } from "../lib/answer-settings.ts";
import { type DonePayload, expectDone, type ReceivedToken, readChatStream, startChat } from "../lib/chat-stream.ts";
import { Counter, Trend } from "../lib/metrics.ts";
import type { IterationContext, ScenarioOptions } from "../lib/scenario.ts";
import { sluiceUrlSetting } from "../lib/server-urls.ts";
import { numberSetting } from "../lib/settings.ts";
import { tokensComplete, tokensReceived } from "../lib/stream-metrics.ts";

const SLUICE_URL = sluiceUrlSetting();
// Clients, all at once
const CLIENTS = numberSetting("CLIENTS", 50);
// Times each client drops its connection before reading to the end
const DROPS = numberSetting("DROPS", 2);
// A client drops after this many tokens on one connection
const DROP_AFTER = numberSetting("DROP_AFTER", 10);
// Pause before reconnecting, ms (must stay well below the app's CANCEL_GRACE_MS)
const RECONNECT_DELAY_MS = numberSetting("RECONNECT_DELAY_MS", 100);
// Answers of 60 tokens at 30/s: long enough for DROPS drops of DROP_AFTER tokens each
const pacing = pacingSettings({ tokens: 60, ttftMs: 100, tps: 30 });
const { TOKENS } = pacing;

export const settings = { SLUICE_URL, CLIENTS, DROPS, DROP_AFTER, RECONNECT_DELAY_MS, ...pacing };

export const options: ScenarioOptions = {
  executor: { type: "per-vu-iterations", vus: CLIENTS, iterations: 1, maxDurationS: 120, gracefulStopS: 10 },
  thresholds: {
    sluice_errors: ["count==0"],
    sluice_resume_lost: ["count==0"],
    sluice_resume_repeated: ["count==0"],
    sluice_resume_mismatch: ["count==0"],
    sluice_tokens_complete: ["rate==1"],
  },
  iterationTimeoutMs: 60_000,
};

/** Tokens the client never received (per stream: expected − distinct ids seen). */
const lost = new Counter("sluice_resume_lost");
/** Tokens received more than once. */
const repeated = new Counter("sluice_resume_repeated");
/** Streams whose resumed text differs from a full replay. */
const mismatch = new Counter("sluice_resume_mismatch");
/** From sending the reconnect to the first new token, ms. */
const reconnect = new Trend("sluice_resume_reconnect");

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function readWithDrops(
  url: string,
  signal: AbortSignal,
): Promise<{ tokens: ReceivedToken[]; done: DonePayload }> {
  const tokens: ReceivedToken[] = [];
  let lastEventId: string | undefined;
  for (let connection = 0; ; connection++) {
    const sentAt = performance.now();
    const leaveAfterTokens = connection < DROPS ? DROP_AFTER : undefined;
    const reading = await readChatStream(url, {
      signal,
      ...(lastEventId ? { lastEventId } : {}),
      ...(leaveAfterTokens ? { leaveAfterTokens } : {}),
    });
    const first = reading.tokens[0];
    if (connection > 0 && first) reconnect.add(first.at - sentAt);
    tokens.push(...reading.tokens);
    lastEventId = reading.lastEventId ?? lastEventId;
    if (reading.end !== "left") return { tokens, done: expectDone(reading) };
    await sleep(RECONNECT_DELAY_MS);
  }
}

export default async function ({ vu, signal }: IterationContext): Promise<void> {
  const messages = simMessages(directivesOf(pacing), `Client ${vu} keeps reconnecting.`);
  const { streamUrl } = await startChat(SLUICE_URL, messages, signal);
  const url = `${SLUICE_URL}${streamUrl}`;
  const { tokens, done } = await readWithDrops(url, signal);
  const distinct = new Set(tokens.map((token) => token.id));
  const ordered = tokens.every((token, i) => i === 0 || token.id > (tokens[i - 1] as ReceivedToken).id);
  lost.add(Math.max(0, TOKENS - distinct.size));
  repeated.add(tokens.length - distinct.size);
  tokensReceived.add(tokens.length);
  tokensComplete.add(
    ordered && distinct.size === TOKENS && tokens.length === TOKENS && done.usage.completion_tokens === TOKENS,
  );
  const replay = await readChatStream(url, { signal });
  const text = (list: ReceivedToken[]) => list.map((token) => token.text).join("");
  if (text(replay.tokens) !== text(tokens)) mismatch.add(1);
}
