/**
 * One model call through the model server's own Responses API (RESPONSES_UPSTREAM=responses), for
 * servers that speak it natively (OpenAI, vLLM): the same reduction as chat-stream.ts, to tokens,
 * the finish reason and the usage. The call is never stored upstream (`store: false`): Sluice keeps
 * the generation, its replay and its conversation itself.
 * Reference: https://platform.openai.com/docs/api-reference/responses-streaming
 */
import type OpenAI from "openai";
import type { ResponseInputItem, ResponseStreamEvent, ResponseUsage } from "openai/resources/responses/responses";
import type { ModelContentPart, ModelMessage } from "../contract.ts";
import type { ChatRequest, UpstreamSink } from "./chat-stream.ts";
import type { CallOptions } from "./completion-stream.ts";
import { toUpstreamError, UpstreamError } from "./errors.ts";

/** An image part's URL: a stored image's bytes as the `data:` URL chat completions would carry. */
function imageUrlOf(part: Exclude<ModelContentPart, { type: "text" }>): string {
  if (part.type === "image_url") return part.image_url.url;
  return `data:${part.media_type};base64,${Buffer.from(part.data).toString("base64")}`;
}

/** A chat message as a Responses input message: text as it is, image parts as `input_image`. */
function inputItem(message: ModelMessage): ResponseInputItem {
  if (typeof message.content === "string") return { role: message.role, content: message.content };
  const content = message.content.map((part: ModelContentPart) => {
    if (part.type === "text") return { type: "input_text" as const, text: part.text };
    return { type: "input_image" as const, image_url: imageUrlOf(part), detail: "auto" as const };
  });
  return { role: message.role, content };
}

function usageOf(usage: ResponseUsage) {
  return {
    prompt_tokens: usage.input_tokens,
    completion_tokens: usage.output_tokens,
    total_tokens: usage.total_tokens,
  };
}

/** Hands `event` to `sink`; true once the response has ended. */
function readEvent(event: ResponseStreamEvent, sink: UpstreamSink): boolean {
  if (event.type === "response.output_text.delta") {
    if (event.delta !== "") sink.token(event.delta);
    sink.readEnd();
    return false;
  }
  if (event.type === "response.completed" || event.type === "response.incomplete") {
    const { usage, incomplete_details } = event.response;
    if (usage) sink.usage(usageOf(usage));
    const reason = incomplete_details?.reason;
    sink.finish(reason === "max_output_tokens" ? "length" : reason === "content_filter" ? "content_filter" : "stop");
    return true;
  }
  if (event.type === "response.failed" || event.type === "error")
    throw new UpstreamError("upstream_unavailable", "the model provider reported an error mid-answer", 502, {
      cause: event,
    });
  return false;
}

/**
 * Streams one response into `sink`. Resolves at its end, or quietly when `options.signal` aborts;
 * rejects with {@link UpstreamError} for everything else, a stream cut before its end included.
 */
export async function streamResponses(
  client: OpenAI,
  request: ChatRequest,
  options: CallOptions,
  sink: UpstreamSink,
): Promise<void> {
  const params = {
    model: request.model,
    input: request.messages.map(inputItem),
    max_output_tokens: request.max_tokens ?? null,
    temperature: request.temperature ?? null,
    top_p: request.top_p ?? null,
    store: false,
    stream: true as const,
  };
  let stream: AsyncIterable<ResponseStreamEvent>;
  try {
    stream = await client.responses.create(params, {
      signal: options.signal,
      headers: { "x-request-id": options.requestId },
    });
  } catch (cause) {
    if (options.signal.aborted) return;
    throw toUpstreamError(cause);
  }
  // The request (the whole conversation) is not needed past here: an async function keeps its
  // parameters while it runs, so the events are read by one that is given the stream alone.
  return readEvents(stream, sink, options.signal);
}

async function readEvents(
  stream: AsyncIterable<ResponseStreamEvent>,
  sink: UpstreamSink,
  signal: AbortSignal,
): Promise<void> {
  let finished = false;
  try {
    for await (const event of stream) if (readEvent(event, sink)) finished = true;
  } catch (cause) {
    if (signal.aborted) return;
    throw toUpstreamError(cause);
  }
  if (!finished && !signal.aborted)
    throw new UpstreamError("upstream_bad_response", "the model provider ended the stream without finishing", 502);
}
