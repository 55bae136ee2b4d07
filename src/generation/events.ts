/**
 * What a generation records: an append-only sequence of events, each with an id that is unique
 * and increasing within its generation (the SSE `id:` of the event).
 */

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export type FinishReason = "stop" | "length" | "cancelled" | "content_filter" | "tool_calls";

export interface TokenEvent {
  id: number;
  type: "token";
  text: string;
}

export interface DoneEvent {
  id: number;
  type: "done";
  finish_reason: FinishReason;
  usage: Usage;
  timings: { ttft_ms: number | null; total_ms: number };
}

export interface ErrorEvent {
  id: number;
  type: "error";
  code: string;
  message: string;
  retryable: boolean;
}

export type GenerationEvent = TokenEvent | DoneEvent | ErrorEvent;

/** How a generation ended: the last event, and the text it produced up to then. */
export interface GenerationOutcome {
  text: string;
  end: DoneEvent | ErrorEvent;
}
