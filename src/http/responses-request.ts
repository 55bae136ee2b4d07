/**
 * A `POST /v1/responses` body read into what Sluice does with it, every check made before
 * anything starts: the model and token cap of the model policy, the input as chat messages, and
 * whether the response is stored in a conversation (`store`, `previous_response_id`), as far as
 * Sluice's conversations hold one: one question and its answer per response, under the previous
 * response's answer. What Sluice does not serve (tools, reasoning settings, stored prompts) is a
 * 400 naming the field, never silently ignored.
 */

import { ValidationError } from "../errors.ts";
import type { ImageLimits } from "../settings/attachments.ts";
import type { ChatRequest } from "../upstream/chat-stream.ts";
import type { ResponsesBody } from "./dialect-schemas.ts";
import { chooseModel, type ModelPolicy, outputTokens } from "./model-policy.ts";
import { parseResponseId, type ResponseIdParts } from "./response-id.ts";
import { type InputMessage, questionOf, readInput, type StoredQuestion } from "./responses-input.ts";

/** Where a stored response goes. */
export interface StoredPlan {
  question: StoredQuestion;
  /** The conversation's custom instructions from now on, when the request gives any. */
  instructions: string | undefined;
  /** The response this one follows, in its conversation; absent: a new conversation. */
  previous: (ResponseIdParts & { conversationId: string; id: string }) | undefined;
}

export interface ResponsePlan {
  /** The model call (for an unstored response: the whole input, the instructions first). */
  call: Omit<ChatRequest, "messages"> & { messages: InputMessage[] };
  stream: boolean;
  background: boolean;
  /** Stored in a conversation; absent: not stored. */
  stored: StoredPlan | undefined;
  /** What the response object echoes. */
  echo: {
    instructions: string | null;
    metadata: Record<string, string>;
    max_output_tokens: number | null;
    temperature: number | null;
    top_p: number | null;
    user: string | null;
  };
}

const TEXT_ONLY = "is not served here: Sluice streams text, and runs no tools";

/** Fields of the API that change what the model does or returns, which Sluice does not serve, when set. */
const UNSERVED: Record<string, (value: unknown) => boolean> = {
  tools: (value) => Array.isArray(value) && value.length > 0,
  tool_choice: (value) => value != null && value !== "auto" && value !== "none",
  reasoning: (value) => value != null,
  conversation: (value) => value != null,
  prompt: (value) => value != null,
  include: (value) => Array.isArray(value) && value.length > 0,
  context_management: (value) => value != null,
  top_logprobs: (value) => value != null && value !== 0,
  text: (value) => {
    const format = (value as { format?: { type?: unknown } } | null)?.format;
    return format != null && format.type !== "text";
  },
};

function refuseUnserved(body: Record<string, unknown>): void {
  for (const [field, isSet] of Object.entries(UNSERVED))
    if (isSet(body[field])) throw new ValidationError(field === "text" ? "text.format" : field, TEXT_ONLY);
}

/** `previous_response_id` as a stored response's parts; a 400 naming it otherwise. */
function previousOf(id: string): StoredPlan["previous"] {
  const parts = parseResponseId(id);
  if (!parts) throw new ValidationError("previous_response_id", "is not a response id");
  if (parts.conversationId === undefined)
    throw new ValidationError("previous_response_id", "names a response that was not stored (store: false)");
  return { ...parts, conversationId: parts.conversationId, id };
}

/**
 * Whether, and where, the response is stored. `store` defaults to true, as on OpenAI, for a
 * single question; a whole history in `input` is the client's to keep, so it is sent as it is and
 * not stored unless asked, and then refused (a conversation stores one question per response).
 */
function storedPlan(body: ResponsesBody, messages: InputMessage[], limits: ImageLimits): StoredPlan | undefined {
  const previousId = body.previous_response_id ?? undefined;
  if (previousId !== undefined && body.store === false)
    throw new ValidationError("store", "must be true with previous_response_id: a continued conversation is stored");
  const single = questionOf(messages, limits);
  if (!single) {
    if (previousId !== undefined)
      throw new ValidationError("input", "with previous_response_id, must be the next user message only");
    if (body.store === true)
      throw new ValidationError("input", "to be stored, must be one user message (send a history with store: false)");
    return undefined;
  }
  if (body.store === false) return undefined;
  const given = [...(body.instructions ? [body.instructions] : []), ...single.instructions];
  return {
    question: single.question,
    instructions: given.length > 0 ? given.join("\n\n") : undefined,
    previous: previousId === undefined ? undefined : previousOf(previousId),
  };
}

/** Reads and checks a create request; a 400 naming the field for anything refused. */
export function planResponse(body: ResponsesBody, policy: ModelPolicy, limits: ImageLimits): ResponsePlan {
  refuseUnserved(body as Record<string, unknown>);
  const model = chooseModel(policy, body.model);
  const maxTokens = outputTokens(policy, body.max_output_tokens ?? undefined, "max_output_tokens");
  const input = readInput(body.input as string | Record<string, unknown>[], limits);
  const stored = storedPlan(body, input, limits);
  const instructions = body.instructions ?? null;
  const messages: InputMessage[] = instructions ? [{ role: "system", content: instructions }, ...input] : input;
  const temperature = body.temperature ?? undefined;
  const top_p = body.top_p ?? undefined;
  return {
    call: { model, messages, max_tokens: maxTokens, temperature, top_p },
    stream: body.stream === true,
    background: body.background === true,
    stored,
    echo: {
      instructions,
      metadata: body.metadata ?? {},
      max_output_tokens: body.max_output_tokens ?? null,
      temperature: temperature ?? null,
      top_p: top_p ?? null,
      user: body.user ?? null,
    },
  };
}
