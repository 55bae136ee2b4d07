/**
 * One model call per generation, reduced to what a generation records: tokens, the finish
 * reason and the usage, handed to a sink as each network read brings them.
 */
import type OpenAI from "openai";
import type { ChatCompletionChunk, ChatCompletionMessageParam } from "openai/resources/chat/completions";
import type { FinishReason, ModelMessage, Usage } from "../contract.ts";
import { type CallOptions, readCompletion, requestCompletionStream } from "./completion-stream.ts";
import { toUpstreamError, UpstreamError } from "./errors.ts";
import { ChatRequestBody } from "./request-body.ts";

export interface ChatRequest {
  model: string;
  /** Text, or content parts for a question with images (vision models), kept as bytes until sent. */
  messages: ModelMessage[];
  max_tokens?: number | undefined;
  temperature?: number | undefined;
}

/**
 * What a model call tells its generation, synchronously, as its chunks arrive: a method per kind
 * of delta (no object per token), and `readEnd` once per network read, so that the tokens one
 * read brought reach a viewer in one write.
 */
export interface UpstreamSink {
  token(text: string): void;
  finish(reason: FinishReason): void;
  usage(usage: Usage): void;
  /** Every delta of one network read is in. */
  readEnd(): void;
}

/** Starts a model call that reports into `sink`; it must end quietly when `signal` aborts. */
export type Upstream = (signal: AbortSignal, id: string, sink: UpstreamSink) => Promise<void>;

/**
 * Streams one chat completion into `sink`. Resolves at its end, or quietly when `options.signal`
 * aborts (a cancel is not an error); rejects with {@link UpstreamError} for everything else, a
 * stream cut before its finish included.
 */
export async function streamChat(
  client: OpenAI,
  request: ChatRequest,
  options: CallOptions,
  sink: UpstreamSink,
): Promise<void> {
  let finished = false;
  const params = {
    ...request,
    messages: request.messages as ChatCompletionMessageParam[],
    stream: true as const,
    stream_options: { include_usage: true },
  };
  const onChunk = (chunk: ChatCompletionChunk) => {
    if (readChunk(chunk, sink)) finished = true;
  };
  // Images are written as they are sent rather than serialized with the rest (request-body.ts).
  const body = carriesImageBytes(request.messages) ? new ChatRequestBody(params) : undefined;
  try {
    const response = await requestCompletionStream(client, params, options, body);
    await readCompletion(response, onChunk, () => sink.readEnd());
  } catch (cause) {
    if (options.signal.aborted) return;
    throw toUpstreamError(cause);
  }
  if (!finished && !options.signal.aborted)
    throw new UpstreamError("upstream_bad_response", "the model provider ended the stream without finishing", 502);
}

function carriesImageBytes(messages: readonly ModelMessage[]): boolean {
  return messages.some((message) => typeof message.content !== "string" && message.content.some(isImageBytes));
}

const isImageBytes = (part: { type: string }) => part.type === "image_bytes";

/** Hands `chunk`'s deltas to `sink`; true when it carried the finish reason. */
function readChunk(chunk: ChatCompletionChunk, sink: UpstreamSink): boolean {
  const choice = chunk.choices?.[0];
  const text = choice?.delta?.content;
  if (typeof text === "string" && text !== "") sink.token(text);
  const reason = choice?.finish_reason;
  if (reason) sink.finish(toFinishReason(reason));
  if (chunk.usage) {
    const { prompt_tokens, completion_tokens, total_tokens } = chunk.usage;
    sink.usage({ prompt_tokens, completion_tokens, total_tokens });
  }
  return Boolean(reason);
}

function toFinishReason(reason: string): FinishReason {
  return reason === "length" || reason === "content_filter" || reason === "tool_calls" ? reason : "stop";
}
