/**
 * The chunks of a streamed chat completion, from its body's bytes as they arrive: each SSE
 * `data:` event parsed once, handed over as soon as it is complete, whatever the read boundaries.
 *
 * The `openai` client's own decoder scans every byte in JS twice per event (a double-newline
 * splitter, then a line decoder) and runs several async generators per chunk; here the events
 * are found in the bytes by native scans (sse-data-reader.ts), only their data is decoded, and a
 * read costs no promise at all.
 */
import { APIError } from "openai";
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import type { BodyReader } from "./response-body.ts";
import { type SseDataListener, SseDataReader } from "./sse-data-reader.ts";

/** Who hears of each chunk, and of the end of each network read's chunks (the moment to pass them on). */
export interface ChunkListener {
  chunk(chunk: ChatCompletionChunk): void;
  readEnd?(): void;
}

export class CompletionChunkParser implements SseDataListener, BodyReader {
  readonly #reader = new SseDataReader(this);
  #done = false;
  /** The response's request id (`x-request-id`), for an error's: the headers themselves are not kept for the stream's length. */
  readonly #requestId: string | null;

  /**
   * `listener.chunk` receives every chunk until `[DONE]`; `listener.readEnd`, if it has one, runs
   * after each read's chunks ({@link read}). Parsing throws what the `openai` client's own stream
   * throws: `SyntaxError` for a chunk that is not JSON, `APIError` for an error object sent inside
   * the stream (`headers`: the response's, for the error's request id).
   */
  constructor(
    private readonly listener: ChunkListener,
    headers?: Headers,
  ) {
    this.#requestId = headers?.get("x-request-id") ?? null;
  }

  /** Parses one network read; `listener.chunk` runs for each chunk it completes, before this returns. */
  feed(bytes: Uint8Array): void {
    this.#reader.feed(bytes);
  }

  /** {@link feed}, then `listener.readEnd`: the parser as a body's reader (response-body.ts). */
  read(bytes: Uint8Array): void {
    this.#reader.feed(bytes);
    this.listener.readEnd?.();
  }

  /** One event's data: a chunk, or the end. */
  onData(data: string): void {
    // Like the `openai` client: the body is read to its end, and anything after [DONE] is ignored.
    this.#done ||= data.startsWith("[DONE]");
    if (this.#done) return;
    const chunk = JSON.parse(data);
    if (chunk?.error) throw new APIError(undefined, chunk.error, undefined, this.#errorHeaders());
    this.listener.chunk(chunk);
  }

  #errorHeaders(): Headers {
    return new Headers(this.#requestId === null ? {} : { "x-request-id": this.#requestId });
  }
}
