/**
 * The OpenAI wire format, used for the baseline (the simulator directly) and for Sluice's
 * pass-through: POST /v1/chat/completions with `stream: true` and `stream_options.include_usage`,
 * answered by `data: {chunk}` events and a final `data: [DONE]`.
 */
import type { ChatMessage } from "../../harness/client/sim-prompt.ts";
import { LoadError } from "./errors.ts";
import { type ReadEvent, streamTokens, type TokenReading } from "./token-stream.ts";

interface Chunk {
  choices?: { delta?: { content?: string | null } }[];
  usage?: { completion_tokens?: number } | null;
  error?: { code?: string; message?: string };
}

export type CompletionReading = TokenReading;

const readChunk: ReadEvent = (event) => {
  if (event.data === "[DONE]") return { end: true };
  const chunk = JSON.parse(event.data) as Chunk;
  if (chunk.error)
    return { failure: new LoadError(`sse_${chunk.error.code ?? "error"}`, chunk.error.message ?? "error chunk") };
  return { text: chunk.choices?.[0]?.delta?.content ?? undefined, completionTokens: chunk.usage?.completion_tokens };
};

/** Streams one completion to its `[DONE]`; throws a LoadError on HTTP errors, error chunks, or a cut. */
export function streamCompletion(
  url: string,
  body: { model: string; messages: ChatMessage[] },
  signal: AbortSignal,
): Promise<CompletionReading> {
  return streamTokens(url, { ...body, stream: true, stream_options: { include_usage: true } }, signal, readChunk);
}
