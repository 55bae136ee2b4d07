/**
 * The OpenAI-format scenario shared by `direct` (the simulator itself, the baseline) and
 * `gateway` (the same requests through nginx and Sluice's /v1/chat/completions): the same
 * users, prompts and pacing, so the two summaries differ only by the path in between.
 */

import { simMessages } from "../../harness/client/sim-prompt.ts";
import { directivesOf, targetsOf } from "./answer-settings.ts";
import { chattingUsers } from "./chatting-users.ts";
import { streamCompletion } from "./openai-stream.ts";
import type { IterationContext, ScenarioModule } from "./scenario.ts";
import { textSetting, urlSetting } from "./settings.ts";
import { recordTimeline, tokensComplete, tokensReceived } from "./stream-metrics.ts";

/** Builds the scenario for the base URL in `urlVariable` (its path prefix is kept, e.g. `/sim`). */
export function completionScenario(urlVariable: string, defaultUrl: string): ScenarioModule {
  // Base URL that serves /v1/chat/completions
  const BASE_URL = urlSetting(urlVariable, defaultUrl);
  // Model name sent in each request (Sluice's built-in simulator is `demo`)
  const MODEL = textSetting("MODEL", "demo");
  const users = chattingUsers();
  const { answer } = users;
  const url = `${BASE_URL}/v1/chat/completions`;
  const targets = targetsOf(answer);
  return {
    settings: { [urlVariable]: BASE_URL, MODEL, ...users.settings },
    options: users.options,
    async default({ vu, iteration, signal }: IterationContext) {
      const messages = simMessages(directivesOf(answer), `User ${vu}, request ${iteration}.`);
      const start = performance.now();
      const reading = await streamCompletion(url, { model: MODEL, messages }, signal);
      recordTimeline({ start, headersAt: reading.headersAt, tokenTimes: reading.tokenTimes }, targets);
      tokensReceived.add(reading.tokenTimes.length);
      tokensComplete.add(reading.tokenTimes.length === answer.TOKENS && reading.completionTokens === answer.TOKENS);
    },
  };
}
