/**
 * One model call per generation, reduced to what a generation records: tokens, the finish
 * reason and the usage.
 */
import type OpenAI from "openai";
import type { ChatCompletionChunk, ChatCompletionMessageParam } from "openai/resources/chat/completions";
import type { FinishReason, ModelMessage, Usage } from "../contract.ts";
import { type CallOptions, streamCompletion } from "./completion-stream.ts";
import { UpstreamError } from "./errors.ts";

export interface ChatRequest {
  model: string;
  /** Text, or content parts for a question with images (vision models). */
  messages: ModelMessage[];
  max_tokens?: number | undefined;
  temperature?: number | undefined;
}

/** What the upstream stream yields, already reduced to what a generation records. */
export type UpstreamDelta =
  | { type: "token"; text: string }
  | { type: "finish"; reason: FinishReason }
  | { type: "usage"; usage: Usage };

/**
 * Streams one chat completion. Ends quietly when `options.signal` aborts (a cancel is not an
 * error); throws {@link UpstreamError} for everything else, a stream cut before its finish included.
 */
export async function* streamChat(
  client: OpenAI,
  request: ChatRequest,
  options: CallOptions,
): AsyncGenerator<UpstreamDelta> {
  let finished = false;
  const params = {
    ...request,
    messages: request.messages as ChatCompletionMessageParam[],
    stream: true as const,
    stream_options: { include_usage: true },
  };
  for await (const chunks of streamCompletion(client, params, options)) {
    for (const chunk of chunks) {
      for (const delta of readChunk(chunk)) {
        if (delta.type === "finish") finished = true;
        yield delta;
      }
    }
  }
  if (!finished && !options.signal.aborted)
    throw new UpstreamError("upstream_bad_response", "the model provider ended the stream without finishing", 502);
}

function readChunk(chunk: ChatCompletionChunk): UpstreamDelta[] {
  const deltas: UpstreamDelta[] = [];
  const choice = chunk.choices?.[0];
  const text = choice?.delta?.content;
  if (typeof text === "string" && text !== "") deltas.push({ type: "token", text });
  if (choice?.finish_reason) deltas.push({ type: "finish", reason: toFinishReason(choice.finish_reason) });
  if (chunk.usage) {
    const { prompt_tokens, completion_tokens, total_tokens } = chunk.usage;
    deltas.push({ type: "usage", usage: { prompt_tokens, completion_tokens, total_tokens } });
  }
  return deltas;
}

function toFinishReason(reason: string): FinishReason {
  return reason === "length" || reason === "content_filter" || reason === "tool_calls" ? reason : "stop";
}
