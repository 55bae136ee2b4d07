/**
 * One streamed chat completion, read as chunk objects. The generation path (chat-stream.ts) and
 * the `/v1` pass-through (pass-through.ts) both read the model through here.
 *
 * The `openai` client makes the request and owns its abort; only its body decoder is replaced.
 * That decoder scans every byte in JS twice per event (a double-newline splitter, then a line
 * decoder) and runs several async generators per chunk: about a third of the app's JS time in a
 * relay benchmark profile at 1,000 streams; streamChat over an in-memory body took ~10 µs per
 * token with it and ~4.3 µs with this (Bun). eventsource-parser splits decoded text with native
 * `indexOf`, and one network read costs one await here, however many events it holds.
 */
import { createParser } from "eventsource-parser";
import type OpenAI from "openai";
import { APIError } from "openai";
import type { ChatCompletionChunk, ChatCompletionCreateParamsStreaming } from "openai/resources/chat/completions";
import { toUpstreamError } from "./errors.ts";

export interface CallOptions {
  /** Aborting it ends the call quietly: a cancel is not an error. */
  signal: AbortSignal;
  /** Sent as `x-request-id`, so the call can be found in the model server's logs (and the simulator's stats). */
  requestId: string;
}

/** Sends a streamed completion request; resolves at the response's headers. Throws what the client throws. */
export function requestCompletionStream(
  client: OpenAI,
  params: ChatCompletionCreateParamsStreaming,
  options: CallOptions,
): Promise<Response> {
  return client.chat.completions
    .create(params, { signal: options.signal, headers: { "x-request-id": options.requestId } })
    .asResponse();
}

/**
 * Streams one completion, yielding per network read the chunks it completed. Ends quietly when
 * `options.signal` aborts; throws {@link UpstreamError} for everything else.
 */
export async function* streamCompletion(
  client: OpenAI,
  params: ChatCompletionCreateParamsStreaming,
  options: CallOptions,
): AsyncGenerator<ChatCompletionChunk[]> {
  try {
    yield* readCompletionChunks(await requestCompletionStream(client, params, options));
  } catch (cause) {
    if (options.signal.aborted) return;
    throw toUpstreamError(cause);
  }
}

/**
 * Yields, per network read, the chunks it completed; ends at `[DONE]` or at the end of the body.
 * Throws what the `openai` client's own stream throws: `SyntaxError` for a chunk that is not JSON,
 * `APIError` for an error object sent inside the stream.
 */
export async function* readCompletionChunks(response: Response): AsyncGenerator<ChatCompletionChunk[]> {
  if (!response.body) return;
  const decoder = new TextDecoder();
  let data: string[] = [];
  const parser = createParser({ onEvent: (event) => data.push(event.data) });
  let done = false;
  for await (const bytes of response.body) {
    parser.feed(decoder.decode(bytes, { stream: true }));
    const events = data;
    data = [];
    const chunks: ChatCompletionChunk[] = [];
    for (const text of events) {
      // Like the `openai` client: the body is read to its end, and anything after [DONE] is ignored.
      done ||= text.startsWith("[DONE]");
      if (done) break;
      const chunk = JSON.parse(text);
      if (chunk?.error) throw new APIError(undefined, chunk.error, undefined, response.headers);
      chunks.push(chunk);
    }
    if (chunks.length > 0) yield chunks;
  }
}
