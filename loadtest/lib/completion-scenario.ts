/**
 * The API-client scenario shared by `direct` (the simulator itself, the baseline), `gateway` (the
 * same requests through nginx and Sluice's /v1/chat/completions), `responses` (Sluice's Responses
 * API) and `ui-chat` (the AI SDK's chat): the same users, prompts and pacing, so their summaries
 * differ only by the path in between and the dialect spoken.
 */

import { type ChatMessage, simMessages } from "../../harness/client/sim-prompt.ts";
import { directivesOf, targetsOf } from "./answer-settings.ts";
import { chattingUsers } from "./chatting-users.ts";
import { streamCompletion } from "./openai-stream.ts";
import type { IterationContext, ScenarioModule } from "./scenario.ts";
import { textSetting, urlSetting } from "./settings.ts";
import { recordTimeline, tokensComplete, tokensReceived } from "./stream-metrics.ts";
import type { TokenReading } from "./token-stream.ts";

/** Streams one answer from the server at `base` in one dialect. */
export type AnswerStream = (
  base: string,
  body: { model: string; messages: ChatMessage[] },
  signal: AbortSignal,
) => Promise<TokenReading>;

/** Chat completions, as the OpenAI clients stream them. */
export const chatCompletions: AnswerStream = (base, body, signal) =>
  streamCompletion(`${base}/v1/chat/completions`, body, signal);

/**
 * Builds the scenario for the base URL in `urlVariable` (its path prefix is kept, e.g. `/sim`),
 * spoken in `dialect` (default: chat completions).
 */
export function completionScenario(
  urlVariable: string,
  defaultUrl: string,
  dialect: AnswerStream = chatCompletions,
  extraSettings: Record<string, unknown> = {},
): ScenarioModule {
  // Base URL of the server the dialect is spoken to
  const BASE_URL = urlSetting(urlVariable, defaultUrl);
  // Model name sent in each request (Sluice's built-in simulator is `demo`)
  const MODEL = textSetting("MODEL", "demo");
  const users = chattingUsers();
  const { answer } = users;
  const targets = targetsOf(answer);
  return {
    settings: { [urlVariable]: BASE_URL, MODEL, ...users.settings, ...extraSettings },
    options: users.options,
    async default({ vu, iteration, signal }: IterationContext) {
      const messages = simMessages(directivesOf(answer), `User ${vu}, request ${iteration}.`);
      const start = performance.now();
      const reading = await dialect(BASE_URL, { model: MODEL, messages }, signal);
      recordTimeline({ start, headersAt: reading.headersAt, tokenTimes: reading.tokenTimes }, targets);
      tokensReceived.add(reading.tokenTimes.length);
      // A dialect that reports no usage (the UI message stream) is judged by the tokens received alone.
      const reported = reading.completionTokens ?? reading.tokenTimes.length;
      tokensComplete.add(reading.tokenTimes.length === answer.TOKENS && reported === answer.TOKENS);
    },
  };
}
