/**
 * One whole chat as the browser does it: POST /api/chat, then read the stream to `done`,
 * recording the latency metrics and checking the token count against what the simulator sent.
 */

import { simMessages } from "../../harness/client/sim-prompt.ts";
import { type AnswerSettings, directivesOf, targetsOf } from "./answer-settings.ts";
import { type DonePayload, expectDone, readChatStream, type StreamReading, startChat } from "./chat-stream.ts";
import type { Tags } from "./metrics.ts";
import { recordTimeline, tokensComplete, tokensReceived } from "./stream-metrics.ts";

export interface ChatExchange {
  streamId: string;
  streamUrl: string;
  reading: StreamReading;
  done: DonePayload;
}

export interface ExchangeOptions {
  baseUrl: string;
  /** The answer asked of the simulator, and its goodput targets. */
  answer: AnswerSettings;
  prompt: string;
  signal: AbortSignal;
  /** Tags for the latency metrics; evaluated when the stream opens (e.g. the concurrency then). */
  tags?: () => Tags;
}

/** Runs one chat to `done`; throws a LoadError when it fails. */
export async function chatExchange(options: ExchangeOptions): Promise<ChatExchange> {
  const directives = directivesOf(options.answer);
  const start = performance.now();
  const { streamId, streamUrl } = await startChat(
    options.baseUrl,
    simMessages(directives, options.prompt),
    options.signal,
  );
  const tags = options.tags?.();
  const reading = await readChatStream(`${options.baseUrl}${streamUrl}`, { signal: options.signal });
  const done = expectDone(reading);
  const tokenTimes = reading.tokens.map((token) => token.at);
  recordTimeline({ start, headersAt: reading.headersAt, tokenTimes }, targetsOf(options.answer), tags);
  tokensReceived.add(reading.tokens.length);
  const expected = directives.tokens;
  tokensComplete.add(reading.tokens.length === expected && done.usage.completion_tokens === expected);
  return { streamId, streamUrl, reading, done };
}
