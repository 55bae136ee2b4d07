/**
 * chat — a fixed number of users, each chatting back to back through Sluice's own protocol
 * (POST /api/chat, then the SSE stream to `done`): latency at a given concurrency.
 *
 *   SLUICE_URL=http://127.0.0.1:8080 VUS=100 DURATION_S=30 bun loadtest/run.ts chat
 */
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
// Content tokens per answer (sent in the `/sim tokens=` line, so the expected count is known)
const TOKENS = numberSetting("TOKENS", 32);
// Simulator delay before the first token, ms (`/sim ttft_ms=`)
const SIM_TTFT_MS = numberSetting("SIM_TTFT_MS", 100);
// Simulator pacing after the first token, tokens per second (`/sim tps=`)
const SIM_TPS = numberSetting("SIM_TPS", 30);
// Goodput: a chat is good when its first token came within this many ms …
const TARGET_TTFT_MS = numberSetting("TARGET_TTFT_MS", SIM_TTFT_MS + 500);
// … and no gap between two tokens exceeded this many ms
const TARGET_ITL_MS = numberSetting("TARGET_ITL_MS", Math.round(1000 / SIM_TPS) + 200);
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
