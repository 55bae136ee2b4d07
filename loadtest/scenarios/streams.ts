/**
 * streams — ramp up to STREAMS concurrent SSE streams and hold them open: errors, TTFT and ITL
 * as concurrency grows (latency metrics are tagged with the concurrency band the chat began in).
 * Each user chats back to back with slow, long answers, so its stream stays open nearly all the time.
 *
 *   SLUICE_URL=http://127.0.0.1:8080 STREAMS=2000 RAMP_S=60 HOLD_S=60 bun loadtest/run.ts streams
 */

import { answerSettings, answerThresholds } from "../lib/answer-settings.ts";
import { chatExchange } from "../lib/chat-exchange.ts";
import type { IterationContext, ScenarioOptions } from "../lib/scenario.ts";
import { sluiceUrlSetting } from "../lib/server-urls.ts";
import { numberSetting } from "../lib/settings.ts";
import { openStreamCount } from "../lib/stream-metrics.ts";

const SLUICE_URL = sluiceUrlSetting();
// Concurrent streams to reach (each costs two sockets in nginx and two in the app)
const STREAMS = numberSetting("STREAMS", 1000);
// Seconds to ramp from 0 to STREAMS
const RAMP_S = numberSetting("RAMP_S", 30);
// Seconds to hold STREAMS open
const HOLD_S = numberSetting("HOLD_S", 30);
// Slow answers (2 tokens/s), so that each stream stays open TOKENS / SIM_TPS seconds
const answer = answerSettings({
  tokens: 40,
  ttftMs: 100,
  tps: 2,
  ttftMarginMs: 1000,
  itlMarginMs: 500,
});
const { TOKENS, SIM_TPS } = answer;
// Number of concurrency bands the latency metrics are tagged with (e.g. 4: ≤250, ≤500, ≤750, ≤1000)
const BANDS = numberSetting("BANDS", 4);
// Threshold: at least this share of chats must meet both goodput targets
const THRESHOLD_GOODPUT = numberSetting("THRESHOLD_GOODPUT", 0.9);
// One chat is abandoned (error `timeout`) after this many ms
const ITERATION_TIMEOUT_MS = numberSetting("ITERATION_TIMEOUT_MS", 120_000);

export const settings = { SLUICE_URL, STREAMS, RAMP_S, HOLD_S, ...answer };

export const options: ScenarioOptions = {
  executor: {
    type: "ramping-vus",
    stages: [
      { durationS: RAMP_S, target: STREAMS },
      { durationS: HOLD_S, target: STREAMS },
    ],
    // Streams opened near the end may run a whole answer past the hold.
    gracefulStopS: TOKENS / SIM_TPS + 30,
  },
  thresholds: {
    ...answerThresholds(THRESHOLD_GOODPUT),
    sluice_streams_open: [`max>=${Math.floor(STREAMS * 0.95)}`],
  },
  iterationTimeoutMs: ITERATION_TIMEOUT_MS,
};

/** The band of the concurrency right now, named by its upper bound ("≤500"). */
function concurrencyBand(): string {
  const width = Math.max(1, Math.ceil(STREAMS / BANDS));
  return `≤${Math.max(1, Math.ceil(openStreamCount() / width)) * width}`;
}

export default async function ({ vu, iteration, signal }: IterationContext): Promise<void> {
  await chatExchange({
    baseUrl: SLUICE_URL,
    answer,
    prompt: `Stream ${vu}.${iteration}: tell me about rivers.`,
    signal,
    tags: () => ({ concurrency: concurrencyBand() }),
  });
}
