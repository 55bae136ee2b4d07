/**
 * ttft — chats arriving at a steady rate (POST /api/chat, then the SSE stream to `done`):
 * time to first token and inter-token latency percentiles at that arrival rate.
 *
 *   SLUICE_URL=http://127.0.0.1:8080 RATE=10 DURATION_S=60 bun loadtest/run.ts ttft
 */

import { answerSettings, answerThresholds } from "../lib/answer-settings.ts";
import { chatExchange } from "../lib/chat-exchange.ts";
import type { IterationContext, ScenarioOptions } from "../lib/scenario.ts";
import { sluiceUrlSetting } from "../lib/server-urls.ts";
import { numberSetting } from "../lib/settings.ts";

const SLUICE_URL = sluiceUrlSetting();
// New chats started per second
const RATE = numberSetting("RATE", 5);
// How long chats keep arriving, in seconds
const DURATION_S = numberSetting("DURATION_S", 30);
// Most chats in flight at once; arrivals past it are dropped and counted in sluice_dropped_iterations
const MAX_IN_FLIGHT = numberSetting("MAX_IN_FLIGHT", 1000);
const answer = answerSettings();
const { SIM_TTFT_MS, SIM_TPS } = answer;
// Threshold: p(95) of TTFT must stay below this, ms
const THRESHOLD_TTFT_P95_MS = numberSetting("THRESHOLD_TTFT_P95_MS", SIM_TTFT_MS + 1000);
// Threshold: p(95) of ITL must stay below this, ms
const THRESHOLD_ITL_P95_MS = numberSetting("THRESHOLD_ITL_P95_MS", Math.round(1000 / SIM_TPS) + 250);
// Threshold: at least this share of chats must meet both goodput targets
const THRESHOLD_GOODPUT = numberSetting("THRESHOLD_GOODPUT", 0.95);
// One chat is abandoned (error `timeout`) after this many ms
const ITERATION_TIMEOUT_MS = numberSetting("ITERATION_TIMEOUT_MS", 60_000);

export const settings = { SLUICE_URL, RATE, DURATION_S, MAX_IN_FLIGHT, ...answer };

export const options: ScenarioOptions = {
  executor: {
    type: "constant-arrival-rate",
    rate: RATE,
    durationS: DURATION_S,
    maxInFlight: MAX_IN_FLIGHT,
    gracefulStopS: 30,
  },
  thresholds: {
    ...answerThresholds(THRESHOLD_GOODPUT),
    sluice_dropped_iterations: ["count==0"],
    sluice_ttft: [`p(95)<${THRESHOLD_TTFT_P95_MS}`],
    sluice_itl: [`p(95)<${THRESHOLD_ITL_P95_MS}`],
  },
  iterationTimeoutMs: ITERATION_TIMEOUT_MS,
};

export default async function ({ iteration, signal }: IterationContext): Promise<void> {
  await chatExchange({
    baseUrl: SLUICE_URL,
    answer,
    prompt: `Chat ${iteration}: tell me about rivers.`,
    signal,
  });
}
