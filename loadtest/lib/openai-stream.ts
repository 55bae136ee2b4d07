/**
 * The OpenAI wire format, used for the baseline (the simulator directly) and for Sluice's
 * pass-through: POST /v1/chat/completions with `stream: true` and `stream_options.include_usage`,
 * answered by `data: {chunk}` events and a final `data: [DONE]`.
 */
import { expectStatus } from "../../harness/client/api.ts";
import type { ChatMessage } from "../../harness/client/sim-prompt.ts";
import { readEvents } from "../../harness/client/sse-reader.ts";
import { LoadError } from "./errors.ts";
import { trackOpenStream } from "./stream-metrics.ts";

interface Chunk {
  choices?: { delta?: { content?: string | null } }[];
  usage?: { completion_tokens?: number } | null;
  error?: { code?: string; message?: string };
}

export interface CompletionReading {
  headersAt: number;
  /** performance.now() of each chunk with non-empty `delta.content`. */
  tokenTimes: number[];
  text: string;
  /** `usage.completion_tokens` of the final chunk (undefined if none came). */
  completionTokens: number | undefined;
}

/** Streams one completion to its `[DONE]`; throws a LoadError on HTTP errors, error chunks, or a cut. */
export async function streamCompletion(
  url: string,
  body: { model: string; messages: ChatMessage[] },
  signal: AbortSignal,
): Promise<CompletionReading> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream" },
    body: JSON.stringify({ ...body, stream: true, stream_options: { include_usage: true } }),
    signal,
  });
  const reading: CompletionReading = {
    headersAt: performance.now(),
    tokenTimes: [],
    text: "",
    completionTokens: undefined,
  };
  await expectStatus(response, 200, `POST ${new URL(url).pathname}`);
  if (!response.body) throw new LoadError("bad_response", "completion response without a body");
  let finished = false;
  let failure: LoadError | undefined;
  const closed = trackOpenStream();
  try {
    await readEvents(response.body, {
      onEvent(event) {
        if (event.data === "[DONE]") {
          finished = true;
          return false;
        }
        const chunk = JSON.parse(event.data) as Chunk;
        if (chunk.error) {
          failure = new LoadError(`sse_${chunk.error.code ?? "error"}`, chunk.error.message ?? "error chunk");
          return false;
        }
        const content = chunk.choices?.[0]?.delta?.content;
        if (content) {
          reading.tokenTimes.push(event.at);
          reading.text += content;
        }
        if (chunk.usage?.completion_tokens !== undefined) reading.completionTokens = chunk.usage.completion_tokens;
        return undefined;
      },
    });
  } finally {
    closed();
  }
  if (failure) throw failure;
  if (!finished) throw new LoadError("incomplete", `no [DONE] after ${reading.tokenTimes.length} tokens`);
  return reading;
}
