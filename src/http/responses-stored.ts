/**
 * A stored response once its generation has left memory (STREAM_RETENTION_MS): rebuilt from the
 * answer its conversation keeps (its text, status, figures and model). What only the request
 * held (metadata, temperature) is not kept with a conversation and comes back empty.
 */
import type { EndEvent } from "../contract.ts";
import type { ConversationStore, StoredMessage } from "../conversations/store.ts";
import { plainRecord, responseObject } from "../sse/responses-events.ts";
import type { ResponseIdParts } from "./response-id.ts";

/** The generation's end, as the stored answer recorded it. */
function endOf(answer: StoredMessage): EndEvent {
  if (answer.status === "error" || answer.status === "interrupted") {
    const error = answer.error ?? { code: "interrupted", message: "the answer was cut off", retryable: true };
    return { id: 0, type: "error", ...error };
  }
  const figures = answer.figures;
  const completion = figures?.completion_tokens ?? 0;
  return {
    id: 0,
    type: "done",
    finish_reason: figures?.finish_reason ?? (answer.status === "cancelled" ? "cancelled" : "stop"),
    usage: { prompt_tokens: 0, completion_tokens: completion, total_tokens: completion },
    timings: { ttft_ms: figures?.ttft_ms ?? null, total_ms: figures?.total_ms ?? 0 },
  };
}

/** The response `id` from its stored answer; undefined when there is none of the caller's. */
export async function storedResponse(
  store: ConversationStore,
  owner: string,
  id: string,
  parts: ResponseIdParts & { conversationId: string },
  defaultModel: string,
) {
  const [answer] = await store.messages(owner, parts.conversationId, [parts.streamId]);
  if (answer?.role !== "assistant") return undefined;
  const end = endOf(answer);
  // An answer is stored when it ends: it started its duration before.
  const startedAt = Date.parse(answer.created_at) - (end.type === "done" ? end.timings.total_ms : 0);
  const record = plainRecord({
    id,
    created_at: Math.floor(startedAt / 1_000),
    model: answer.model ?? defaultModel,
    store: true,
  });
  return responseObject(record, { text: answer.content, end });
}
