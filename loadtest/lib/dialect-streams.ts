/**
 * The two other dialects Sluice streams in, as their clients read them: the Responses API
 * (`POST /v1/responses` with `stream: true`: typed events, `response.output_text.delta` carrying
 * the text, `response.completed` its usage) and the AI SDK's UI message stream (`POST /api/chat`
 * with the SDK's body: `text-delta` parts, then `finish` and `[DONE]`).
 */
import type { ChatMessage } from "../../harness/client/sim-prompt.ts";
import { LoadError } from "./errors.ts";
import { type ReadEvent, streamTokens, type TokenReading } from "./token-stream.ts";

interface ResponsesEvent {
  type: string;
  delta?: string;
  response?: { usage?: { output_tokens?: number }; error?: { code?: string; message?: string } };
  message?: string;
}

const readResponsesEvent: ReadEvent = (event) => {
  const data = JSON.parse(event.data) as ResponsesEvent;
  if (data.type === "response.output_text.delta") return { text: data.delta };
  if (data.type === "response.completed") return { end: true, completionTokens: data.response?.usage?.output_tokens };
  if (data.type === "response.failed" || data.type === "response.incomplete" || data.type === "error") {
    const error = data.response?.error;
    return { failure: new LoadError(`sse_${error?.code ?? data.type}`, error?.message ?? data.message ?? data.type) };
  }
  return undefined;
};

/** Streams one response from `<base>/v1/responses` (`store` as given) to its `response.completed`. */
export function streamResponse(
  base: string,
  body: { model: string; messages: ChatMessage[]; store: boolean },
  signal: AbortSignal,
): Promise<TokenReading> {
  const request = { model: body.model, input: body.messages, store: body.store, stream: true };
  return streamTokens(`${base}/v1/responses`, request, signal, readResponsesEvent);
}

const readUiPart: ReadEvent = (event) => {
  if (event.data === "[DONE]") return { end: true };
  const part = JSON.parse(event.data) as { type: string; delta?: string; errorText?: string };
  if (part.type === "text-delta") return { text: part.delta };
  if (part.type === "error" || part.type === "abort")
    return { failure: new LoadError(`sse_${part.type}`, part.errorText ?? part.type) };
  return undefined;
};

/** Streams one answer of a new AI SDK chat from `<base>/api/chat` to its `[DONE]`. */
export function streamUiChat(
  base: string,
  body: { model: string; messages: ChatMessage[] },
  signal: AbortSignal,
): Promise<TokenReading> {
  const messages = body.messages.map((message, index) => ({
    id: `m${index}`,
    role: message.role,
    parts: [{ type: "text", text: message.content }],
  }));
  const request = { id: crypto.randomUUID(), trigger: "submit-message", model: body.model, messages };
  return streamTokens(`${base}/api/chat`, request, signal, readUiPart);
}
