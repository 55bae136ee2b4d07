/**
 * chat — a fixed number of users, each chatting back to back through Sluice's own protocol
 * (POST /api/chat, then the SSE stream to `done`): latency at a given concurrency.
 *
 *   SLUICE_URL=http://127.0.0.1:8080 VUS=100 DURATION_S=30 bun loadtest/run.ts chat
 */

import { answerSettings } from "../lib/answer-settings.ts";
import { chatExchange } from "../lib/chat-exchange.ts";
import type { IterationContext, ScenarioOptions } from "../lib/scenario.ts";
import { numberSetting, urlSetting } from "../lib/settings.ts";

// Base URL of Sluice (in the native stack: nginx in front of the app)
const SLUICE_URL = urlSetting("SLUICE_URL", "http://127.0.0.1:8080");
// Concurrent users, each with one chat in flight
const VUS = numberSetting("VUS", 10);
// Seconds over which the users join (0: all at once)
const RAMP_S = numberSetting("RAMP_S", 0);
// Seconds all users keep chatting after the ramp
const DURATION_S = numberSetting("DURATION_S", 30);
const { TOKENS, SIM_TTFT_MS, SIM_TPS, TARGET_TTFT_MS, TARGET_ITL_MS } = answerSettings();
// Threshold: at least this share of chats must meet both goodput targets
const THRESHOLD_GOODPUT = numberSetting("THRESHOLD_GOODPUT", 0.9);
// One chat is abandoned (error `timeout`) after this many ms
const ITERATION_TIMEOUT_MS = numberSetting("ITERATION_TIMEOUT_MS", 60_000);

export const settings = {
  SLUICE_URL,
  VUS,
  RAMP_S,
  DURATION_S,
  TOKENS,
  SIM_TTFT_MS,
  SIM_TPS,
  TARGET_TTFT_MS,
  TARGET_ITL_MS,
};

export const options: ScenarioOptions = {
  executor: {
    type: "ramping-vus",
    stages: [
      { durationS: RAMP_S, target: VUS },
      { durationS: DURATION_S, target: VUS },
    ],
    gracefulStopS: 30,
  },
  thresholds: {
    sluice_errors: ["count==0"],
    sluice_tokens_complete: ["rate==1"],
    sluice_goodput: [`rate>=${THRESHOLD_GOODPUT}`],
  },
  iterationTimeoutMs: ITERATION_TIMEOUT_MS,
};

export default async function ({ vu, iteration, signal }: IterationContext): Promise<void> {
  await chatExchange({
    baseUrl: SLUICE_URL,
    directives: { tokens: TOKENS, ttftMs: SIM_TTFT_MS, tps: SIM_TPS },
    prompt: `User ${vu}, chat ${iteration}: tell me about rivers.`,
    targets: { ttftMs: TARGET_TTFT_MS, itlMs: TARGET_ITL_MS },
    signal,
  });
}
