/**
 * The OpenAI-format scenario shared by `direct` (the simulator itself, the baseline) and
 * `gateway` (the same requests through nginx and Sluice's /v1/chat/completions): the same
 * users, prompts and pacing, so the two summaries differ only by the path in between.
 */

import { answerSettings } from "./answer-settings.ts";
import { streamCompletion } from "./openai-stream.ts";
import type { IterationContext, ScenarioModule } from "./scenario.ts";
import { numberSetting, textSetting, urlSetting } from "./settings.ts";
import { simMessages } from "./sim-prompt.ts";
import { recordTimeline, tokensComplete, tokensReceived } from "./stream-metrics.ts";

/** Builds the scenario for the base URL in `urlVariable` (its path prefix is kept, e.g. `/sim`). */
export function completionScenario(urlVariable: string, defaultUrl: string): ScenarioModule {
  // Base URL that serves /v1/chat/completions
  const BASE_URL = urlSetting(urlVariable, defaultUrl);
  // Model name sent in each request (Sluice's built-in simulator is `demo`)
  const MODEL = textSetting("MODEL", "demo");
  // Concurrent users, each with one request in flight
  const VUS = numberSetting("VUS", 10);
  // Seconds over which the users join (0: all at once)
  const RAMP_S = numberSetting("RAMP_S", 0);
  // Seconds all users keep sending after the ramp
  const DURATION_S = numberSetting("DURATION_S", 30);
  const { TOKENS, SIM_TTFT_MS, SIM_TPS, TARGET_TTFT_MS, TARGET_ITL_MS } = answerSettings();
  // Threshold: at least this share of requests must meet both goodput targets
  const THRESHOLD_GOODPUT = numberSetting("THRESHOLD_GOODPUT", 0.9);
  // One request is abandoned (error `timeout`) after this many ms
  const ITERATION_TIMEOUT_MS = numberSetting("ITERATION_TIMEOUT_MS", 60_000);

  const url = `${BASE_URL}/v1/chat/completions`;
  const targets = { ttftMs: TARGET_TTFT_MS, itlMs: TARGET_ITL_MS };
  return {
    settings: {
      [urlVariable]: BASE_URL,
      MODEL,
      VUS,
      RAMP_S,
      DURATION_S,
      TOKENS,
      SIM_TTFT_MS,
      SIM_TPS,
      TARGET_TTFT_MS,
      TARGET_ITL_MS,
    },
    options: {
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
    },
    async default({ vu, iteration, signal }: IterationContext) {
      const messages = simMessages(
        { tokens: TOKENS, ttftMs: SIM_TTFT_MS, tps: SIM_TPS },
        `User ${vu}, request ${iteration}.`,
      );
      const start = performance.now();
      const reading = await streamCompletion(url, { model: MODEL, messages }, signal);
      recordTimeline({ start, headersAt: reading.headersAt, tokenTimes: reading.tokenTimes }, targets);
      tokensReceived.add(reading.tokenTimes.length);
      tokensComplete.add(reading.tokenTimes.length === TOKENS && reading.completionTokens === TOKENS);
    },
  };
}
