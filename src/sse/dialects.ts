/**
 * The two wire dialects of a generation's events. The API dialect types every event; the classic
 * dialect speaks the three-line browser client's (default `message` events, `data: [DONE]`).
 */
import type { GenerationEvent } from "../contract.ts";
import type { SseMessage } from "./encode.ts";

export interface Dialect {
  /** The SSE message for one recorded event. */
  message(event: GenerationEvent): SseMessage;
  /** The event count a `Last-Event-ID` value stands for; undefined when it is not one of ours. */
  cursor(lastEventId: string): number | undefined;
}

function endPayload(event: GenerationEvent): string {
  if (event.type === "error")
    return JSON.stringify({ code: event.code, message: event.message, retryable: event.retryable });
  if (event.type === "done")
    return JSON.stringify({ finish_reason: event.finish_reason, usage: event.usage, timings: event.timings });
  return event.text;
}

function wholeNumber(text: string): number | undefined {
  return /^\d{1,15}$/.test(text) ? Number(text) : undefined;
}

/** `/api/streams/:id`: `event: token|done|error`, ids 1, 2, 3… */
export const apiDialect: Dialect = {
  message: (event) => ({ id: String(event.id), event: event.type, data: endPayload(event) }),
  cursor: wholeNumber,
};

/**
 * `/chat?q=`: the id carries the generation (`<uuid>.<n>`), so a reconnecting EventSource, which
 * only sends `Last-Event-ID`, finds the same generation instead of starting a second model call.
 */
export function classicDialect(generationId: string): Dialect {
  return {
    message(event) {
      const id = `${generationId}.${event.id}`;
      if (event.type === "token") return { id, data: event.text };
      if (event.type === "done") return { id, event: "done", data: "[DONE]" };
      return { id, event: "error", data: endPayload(event) };
    },
    cursor(lastEventId) {
      const [generation, count] = lastEventId.split(".");
      return generation === generationId && count !== undefined ? wholeNumber(count) : undefined;
    },
  };
}
