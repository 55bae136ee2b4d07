/**
 * The OpenAI Responses API's objects, made from a generation: the response object a create, a
 * retrieve or a cancel answers, and the typed events of its stream, each with its
 * `sequence_number`. Text output only: one output item, a message, with one `output_text` part.
 * Reference: https://platform.openai.com/docs/api-reference/responses-streaming
 */
import type { EndEvent, FinishReason, Usage } from "../contract.ts";

/** What a response echoes of its request, recorded when it starts and kept with its generation. */
export interface ResponseRecord {
  /** `resp_…` (http/response-id.ts). */
  id: string;
  /** Unix seconds. */
  created_at: number;
  model: string;
  instructions: string | null;
  background: boolean;
  store: boolean;
  previous_response_id: string | null;
  metadata: Record<string, string>;
  max_output_tokens: number | null;
  temperature: number | null;
  top_p: number | null;
  user: string | null;
}

/** A record naming only the response, its start and its model; the rest as a request that set nothing. */
export function plainRecord(
  named: Pick<ResponseRecord, "id" | "created_at" | "model"> & Partial<ResponseRecord>,
): ResponseRecord {
  return {
    instructions: null,
    background: false,
    store: false,
    previous_response_id: null,
    metadata: {},
    max_output_tokens: null,
    temperature: null,
    top_p: null,
    user: null,
    ...named,
  };
}

export type ResponseStatus = "in_progress" | "completed" | "incomplete" | "cancelled" | "failed";

/** How far a response got: its text so far, and its end once there is one. */
export interface ResponseProgress {
  text: string;
  end: EndEvent | undefined;
}

/** The Responses usage object from a generation's (chat completions) usage. */
function responseUsage(usage: Usage) {
  return {
    input_tokens: usage.prompt_tokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: usage.completion_tokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.total_tokens,
  };
}

const INCOMPLETE: Partial<Record<FinishReason, "max_output_tokens" | "content_filter">> = {
  length: "max_output_tokens",
  content_filter: "content_filter",
};

/** The status a response shows: running, or how its generation ended. */
export function statusOf(end: EndEvent | undefined): ResponseStatus {
  if (!end) return "in_progress";
  if (end.type === "error") return "failed";
  if (end.finish_reason === "cancelled") return "cancelled";
  return INCOMPLETE[end.finish_reason] ? "incomplete" : "completed";
}

/** The one output item's id: the response's own id after its prefix, so every instance makes the same one. */
export function messageItemId(record: Pick<ResponseRecord, "id">): string {
  return `msg_${record.id.slice("resp_".length)}`;
}

/** The output text part holding `text`. */
function textPart(text: string) {
  return { type: "output_text", text, annotations: [], logprobs: [] };
}

/** The message output item: `content` empty when it is announced, its text part once written. */
export function messageItem(record: ResponseRecord, text: string | undefined, status: string) {
  return {
    id: messageItemId(record),
    type: "message",
    status,
    role: "assistant",
    content: text === undefined ? [] : [textPart(text)],
  };
}

/** The item's status at the response's end: a message cut short is `incomplete`. */
function itemStatus(status: ResponseStatus): string {
  return status === "completed" ? "completed" : status === "in_progress" ? "in_progress" : "incomplete";
}

/** The response object: what create, retrieve and cancel answer, and what the lifecycle events carry. */
export function responseObject(record: ResponseRecord, progress: ResponseProgress) {
  const { end, text } = progress;
  const status = statusOf(end);
  const reason = end?.type === "done" ? INCOMPLETE[end.finish_reason] : undefined;
  const started = end !== undefined || text !== "";
  return {
    id: record.id,
    object: "response",
    created_at: record.created_at,
    status,
    background: record.background,
    // The generation's own duration from the start the record names: the same on every instance.
    completed_at:
      status === "completed" && end?.type === "done"
        ? record.created_at + Math.round(end.timings.total_ms / 1_000)
        : null,
    error: end?.type === "error" ? { code: end.code, message: end.message } : null,
    incomplete_details: reason ? { reason } : null,
    instructions: record.instructions,
    max_output_tokens: record.max_output_tokens,
    metadata: record.metadata,
    model: record.model,
    output: started ? [messageItem(record, text, itemStatus(status))] : [],
    parallel_tool_calls: false,
    previous_response_id: record.previous_response_id,
    store: record.store,
    temperature: record.temperature,
    text: { format: { type: "text" } },
    tool_choice: "auto",
    tools: [],
    top_p: record.top_p,
    truncation: "disabled",
    usage: end?.type === "done" ? responseUsage(end.usage) : null,
    user: record.user,
  };
}

/** One event of a response's stream, before its `sequence_number` is set. */
export interface ResponseEvent {
  type: string;
  [field: string]: unknown;
}

/** The events before the first text delta: the response created and running, its message item and text part opened. */
export function openingEvents(record: ResponseRecord): ResponseEvent[] {
  const running = responseObject(record, { text: "", end: undefined });
  const item_id = messageItemId(record);
  return [
    { type: "response.created", response: running },
    { type: "response.in_progress", response: running },
    { type: "response.output_item.added", output_index: 0, item: messageItem(record, undefined, "in_progress") },
    { type: "response.content_part.added", item_id, output_index: 0, content_index: 0, part: textPart("") },
  ];
}

/** The terminal event's type; a cancelled response ends as incomplete (the API has no event for it). */
function terminalType(status: ResponseStatus): string {
  if (status === "completed") return "response.completed";
  return status === "failed" ? "response.failed" : "response.incomplete";
}

/** The events after the last text delta: the text, its part and its item done, then the response's end. */
export function closingEvents(record: ResponseRecord, progress: ResponseProgress): ResponseEvent[] {
  const { text } = progress;
  const response = responseObject(record, progress);
  const item_id = messageItemId(record);
  const at = { item_id, output_index: 0, content_index: 0 };
  return [
    { type: "response.output_text.done", ...at, text, logprobs: [] },
    { type: "response.content_part.done", ...at, part: textPart(text) },
    {
      type: "response.output_item.done",
      output_index: 0,
      item: messageItem(record, text, itemStatus(response.status)),
    },
    { type: terminalType(response.status), response },
  ];
}

/** `event` with its sequence number, as JSON: the type first, as the API writes it. */
export function eventJson(event: ResponseEvent, sequenceNumber: number): string {
  const { type, ...fields } = event;
  return JSON.stringify({ type, sequence_number: sequenceNumber, ...fields });
}

/**
 * The JSON of one text delta, written by concatenation (one per token: no object, no walk of it).
 * `itemIdJson` is the item's id as a JSON string.
 */
export function deltaJson(sequenceNumber: number, itemIdJson: string, text: string): string {
  return `{"type":"response.output_text.delta","sequence_number":${sequenceNumber},"item_id":${itemIdJson},"output_index":0,"content_index":0,"delta":${JSON.stringify(text)},"logprobs":[]}`;
}
