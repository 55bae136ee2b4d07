/**
 * The shared vocabulary of Sluice: what a chat request carries and what a generation records.
 * Declared once here and imported by every layer (upstream, generation, sse, http, the
 * conversation store, the simulator and the browser UI), so no layer has to reach up into another
 * for a type. Types only: importing this module costs nothing at run time.
 */

/** Who wrote a message. */
export type Role = "system" | "user" | "assistant";

/**
 * One message of a conversation, as the OpenAI wire format carries it. The simulator reads any
 * role a client sends (`tool`, `developer`…), so the role type is a parameter.
 */
export interface ChatMessage<R extends string = Role> {
  role: R;
  content: string;
}

/** One part of a message's content in the OpenAI wire format: text, or an image as a data: URL. */
export type ContentPart = { type: "text"; text: string } | { type: "image_url"; image_url: { url: string } };

/**
 * An image a model call carries as its bytes rather than as a `data:` URL: the request writes it
 * as one, in base64, only while it is sent (upstream/request-body.ts).
 */
export interface ImageBytesPart {
  type: "image_bytes";
  media_type: string;
  data: Uint8Array;
}

/** One part of a message's content as a model call carries it. */
export type ModelContentPart = ContentPart | ImageBytesPart;

/** A message as a model receives it: plain text, or content parts (a question with images). */
export interface ModelMessage<R extends string = Role> {
  role: R;
  content: string | ModelContentPart[];
}

/** The figures of a finished answer, from its generation's `done` event; kept with the stored answer. */
export interface AnswerFigures {
  ttft_ms: number | null;
  total_ms: number;
  completion_tokens: number;
  finish_reason: FinishReason;
}

/** Token counts of one answer, as OpenAI reports them. */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** Why an answer ended: the model's reasons, plus "cancelled" for Stop, a viewer gone, a timeout or shutdown. */
export type FinishReason = "stop" | "length" | "cancelled" | "content_filter" | "tool_calls";

/** Why an upstream call was aborted before its end ("storage": its answer could not be stored). */
export type CancelReason = "stop" | "disconnect" | "timeout" | "shutdown" | "storage";

/** One token of text. Every event has an id, unique and increasing within its generation (the SSE `id:`). */
export interface TokenEvent {
  id: number;
  type: "token";
  text: string;
}

/** The answer ended normally, by the model's choice, a limit, or a cancel. */
export interface DoneEvent {
  id: number;
  type: "done";
  finish_reason: FinishReason;
  usage: Usage;
  timings: { ttft_ms: number | null; total_ms: number };
}

/** The answer failed; `code` is one of the stable error codes the README lists. */
export interface ErrorEvent {
  id: number;
  type: "error";
  code: string;
  message: string;
  retryable: boolean;
}

/** The last event of every generation. */
export type EndEvent = DoneEvent | ErrorEvent;

export type GenerationEvent = TokenEvent | EndEvent;

/** How a generation ended: the last event, and the text it produced up to then. */
export interface GenerationOutcome {
  text: string;
  end: EndEvent;
}
