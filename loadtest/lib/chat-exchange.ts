/**
 * One whole chat as the browser does it: POST /api/chat, then read the stream to `done`,
 * recording the latency metrics and checking the token count against what the simulator sent.
 */
import { type DonePayload, expectDone, readChatStream, type StreamReading, startChat } from "./chat-stream.ts";
import type { Tags } from "./metrics.ts";
import { type SimDirectives, simMessages } from "./sim-prompt.ts";
import { recordTimeline, type Targets, tokensComplete, tokensReceived } from "./stream-metrics.ts";

export interface ChatExchange {
  streamId: string;
  streamUrl: string;
  reading: StreamReading;
  done: DonePayload;
}

export interface ExchangeOptions {
  baseUrl: string;
  directives: SimDirectives;
  prompt: string;
  targets: Targets;
  signal: AbortSignal;
  /** Tags for the latency metrics; evaluated when the stream opens (e.g. the concurrency then). */
  tags?: () => Tags;
}

/** Runs one chat to `done`; throws a LoadError when it fails. */
export async function chatExchange(options: ExchangeOptions): Promise<ChatExchange> {
  const start = performance.now();
  const { streamId, streamUrl } = await startChat(
    options.baseUrl,
    simMessages(options.directives, options.prompt),
    options.signal,
  );
  const tags = options.tags?.();
  const reading = await readChatStream(`${options.baseUrl}${streamUrl}`, { signal: options.signal });
  const done = expectDone(reading);
  const tokenTimes = reading.tokens.map((token) => token.at);
  recordTimeline({ start, headersAt: reading.headersAt, tokenTimes }, options.targets, tags);
  tokensReceived.add(reading.tokens.length);
  const expected = options.directives.tokens;
  tokensComplete.add(reading.tokens.length === expected && done.usage.completion_tokens === expected);
  return { streamId, streamUrl, reading, done };
}
