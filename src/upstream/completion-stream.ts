/**
 * One streamed chat completion: the request through the `openai` client (which owns its abort
 * and maps refusals to its errors), then the body read into chunks. The generation path
 * (chat-stream.ts) and the `/v1` pass-through (pass-through.ts) both read the model through here.
 */
import type OpenAI from "openai";
import type { ChatCompletionChunk, ChatCompletionCreateParamsStreaming } from "openai/resources/chat/completions";
import { callSignalOptions } from "./call-signal.ts";
import { type ChunkListener, CompletionChunkParser } from "./chunk-parser.ts";
import { ChatRequestBody } from "./request-body.ts";
import { readBody } from "./response-body.ts";

export interface CallOptions {
  /** Aborting it ends the call quietly: a cancel is not an error. */
  signal: AbortSignal;
  /** Sent as `x-request-id`, so the call can be found in the model server's logs (and the simulator's stats). */
  requestId: string;
}

/**
 * Sends a streamed completion request; resolves at the response's headers. Throws what the client
 * throws. A request carrying image bytes is written by {@link ChatRequestBody} (images encoded as
 * they are sent) rather than serialized whole by the client.
 */
export function requestCompletionStream(
  client: OpenAI,
  params: ChatCompletionCreateParamsStreaming,
  options: CallOptions,
): Promise<Response> {
  const headers = { "x-request-id": options.requestId };
  const body = carriesImageBytes(params.messages) ? new ChatRequestBody(params) : undefined;
  const written = body && { body: body.stream(), headers: { ...headers, "content-type": "application/json" } };
  const signal = callSignalOptions(client, options.signal);
  return client.chat.completions.create(params, { ...signal, headers, ...written }).asResponse();
}

function carriesImageBytes(messages: ChatCompletionCreateParamsStreaming["messages"]): boolean {
  return messages.some(
    (message) =>
      Array.isArray(message.content) && message.content.some((part) => part.type === ("image_bytes" as string)),
  );
}

/**
 * Reads `response`'s chunks into `listener`: `chunk` for each, `readEnd` after each network read's
 * chunks (the moment to pass them on, once per read). Resolves at the body's end; rejects with
 * what {@link CompletionChunkParser} throws, or what the body's read does (cut, aborted).
 */
export function readCompletion(response: Response, listener: ChunkListener): Promise<void> {
  return readBody(response, new CompletionChunkParser(listener, response.headers));
}

/**
 * Yields, per network read, the chunks it completed; ends at the end of the body. Throws what
 * {@link readCompletion} rejects with. For callers that relay chunks as they are (`/v1`).
 */
export async function* readCompletionChunks(response: Response): AsyncGenerator<ChatCompletionChunk[]> {
  if (!response.body) return;
  let chunks: ChatCompletionChunk[] = [];
  const parser = new CompletionChunkParser({ chunk: (chunk) => chunks.push(chunk) }, response.headers);
  for await (const bytes of response.body) {
    parser.feed(bytes);
    if (chunks.length === 0) continue;
    yield chunks;
    chunks = [];
  }
}
