/**
 * ttft — chats arriving at a steady rate (POST /api/chat, then the SSE stream to `done`):
 * time to first token and inter-token latency percentiles at that arrival rate.
 *
 *   SLUICE_URL=http://127.0.0.1:8080 RATE=10 DURATION_S=60 bun loadtest/run.ts ttft
 */

import { answerSettings } from "../lib/answer-settings.ts";
import { chatExchange } from "../lib/chat-exchange.ts";
import type { IterationContext, ScenarioOptions } from "../lib/scenario.ts";
import { numberSetting, urlSetting } from "../lib/settings.ts";

// Base URL of Sluice (in the native stack: nginx in front of the app)
const SLUICE_URL = urlSetting("SLUICE_URL", "http://127.0.0.1:8080");
// New chats started per second
const RATE = numberSetting("RATE", 5);
// How long chats keep arriving, in seconds
const DURATION_S = numberSetting("DURATION_S", 30);
// Most chats in flight at once; arrivals past it are dropped and counted in sluice_dropped_iterations
const MAX_IN_FLIGHT = numberSetting("MAX_IN_FLIGHT", 1000);
const { TOKENS, SIM_TTFT_MS, SIM_TPS, TARGET_TTFT_MS, TARGET_ITL_MS } = answerSettings();
// Threshold: p(95) of TTFT must stay below this, ms
const THRESHOLD_TTFT_P95_MS = numberSetting("THRESHOLD_TTFT_P95_MS", SIM_TTFT_MS + 1000);
// Threshold: p(95) of ITL must stay below this, ms
const THRESHOLD_ITL_P95_MS = numberSetting("THRESHOLD_ITL_P95_MS", Math.round(1000 / SIM_TPS) + 250);
// Threshold: at least this share of chats must meet both goodput targets
const THRESHOLD_GOODPUT = numberSetting("THRESHOLD_GOODPUT", 0.95);
// One chat is abandoned (error `timeout`) after this many ms
const ITERATION_TIMEOUT_MS = numberSetting("ITERATION_TIMEOUT_MS", 60_000);

export const settings = {
  SLUICE_URL,
  RATE,
  DURATION_S,
  MAX_IN_FLIGHT,
  TOKENS,
  SIM_TTFT_MS,
  SIM_TPS,
  TARGET_TTFT_MS,
  TARGET_ITL_MS,
};

export const options: ScenarioOptions = {
  executor: {
    type: "constant-arrival-rate",
    rate: RATE,
    durationS: DURATION_S,
    maxInFlight: MAX_IN_FLIGHT,
    gracefulStopS: 30,
  },
  thresholds: {
    sluice_errors: ["count==0"],
    sluice_dropped_iterations: ["count==0"],
    sluice_tokens_complete: ["rate==1"],
    sluice_ttft: [`p(95)<${THRESHOLD_TTFT_P95_MS}`],
    sluice_itl: [`p(95)<${THRESHOLD_ITL_P95_MS}`],
    sluice_goodput: [`rate>=${THRESHOLD_GOODPUT}`],
  },
  iterationTimeoutMs: ITERATION_TIMEOUT_MS,
};

export default async function ({ iteration, signal }: IterationContext): Promise<void> {
  await chatExchange({
    baseUrl: SLUICE_URL,
    directives: { tokens: TOKENS, ttftMs: SIM_TTFT_MS, tps: SIM_TPS },
    prompt: `Chat ${iteration}: tell me about rivers.`,
    targets: { ttftMs: TARGET_TTFT_MS, itlMs: TARGET_ITL_MS },
    signal,
  });
}
