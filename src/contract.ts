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

/**
 * A file part of a question, in OpenAI's wire format: a document (PDF or text) as a `data:` URL.
 * Sluice reads its text on the server; the model receives that text, never the file.
 */
export interface FilePart {
  type: "file";
  file: { filename?: string; file_data: string };
}

/** What a question sent to Sluice may hold: text, images, and documents. */
export type QuestionPart = ContentPart | FilePart;

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

/**
 * Token counts of one answer, as OpenAI reports them; `estimated` when the model sent none (it
 * was not asked, or the answer was cut before its usage came) and Sluice counted them itself.
 */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  estimated?: true;
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

/** The model asks for a tool call: its name; the arguments follow as `tool_arguments` deltas. */
export interface ToolCallEvent {
  id: number;
  type: "tool_call";
  /** The model's id of the call, unique within the answer. */
  call_id: string;
  /** The tool's name as offered to the model (`<server>__<tool>`). */
  name: string;
}

/** A piece of a tool call's arguments (JSON text), as the model writes them. */
export interface ToolArgumentsEvent {
  id: number;
  type: "tool_arguments";
  call_id: string;
  delta: string;
}

/** Why a tool call gave no result; the model is told the same as its result. */
export interface ToolFailure {
  /** One of the stable tool error codes the README lists (tool_failed, tool_timeout…). */
  code: string;
  message: string;
}

/** A tool call's result (untrusted text from the tool's server), or why there is none. */
export interface ToolResultEvent {
  id: number;
  type: "tool_result";
  call_id: string;
  /** The result's text as sent to the model; on error, the failure's message. */
  content: string;
  error?: ToolFailure;
  /** Set when the result was cut to TOOL_RESULT_MAX_BYTES: its whole size in UTF-8 bytes. */
  full_bytes?: number;
}

/** One event of a tool step: the call, its arguments, its result. */
export type StepEvent = ToolCallEvent | ToolArgumentsEvent | ToolResultEvent;

/** A step event as recorded, before the log numbers it. */
export type StepRecord = WithoutId<StepEvent>;

type WithoutId<E> = E extends unknown ? Omit<E, "id"> : never;

export type GenerationEvent = TokenEvent | StepEvent | EndEvent;

/**
 * One tool call of an answer, assembled from its step events; kept with the stored answer. A call
 * that never got its result (Stop, a shutdown) is stored as "cancelled".
 */
export interface ToolStep {
  call_id: string;
  name: string;
  /** The arguments as the model wrote them (JSON text, possibly malformed). */
  arguments: string;
  status: "ok" | "error" | "cancelled";
  /** The result's text (untrusted), or the failure's message. */
  result: string;
  error?: ToolFailure;
  full_bytes?: number;
  /** Characters of the answer's text written before the call: where it sits in the answer. */
  offset: number;
}

/** How a generation ended: the last event, the text it produced up to then, and its tool steps. */
export interface GenerationOutcome {
  text: string;
  end: EndEvent;
  /** Absent or empty for an answer that called no tool. */
  steps?: ToolStep[];
  /**
   * The tokens it cost, however it ended (an error after some text too); absent when the model
   * was never reached or refused at once, and for a generation followed from another instance.
   */
  usage?: Usage | undefined;
}
