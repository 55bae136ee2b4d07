/**
 * The wire dialects of a generation's events. The API dialect types every event; the classic
 * dialect speaks the three-line browser client's (default `message` events, `data: [DONE]`). The
 * Responses API's (responses-dialect.ts) and the AI SDK's UI message stream (ui-message-dialect.ts)
 * frame the same log in those clients' formats.
 */
import type { EndEvent, StepEvent } from "../contract.ts";
import { formatEvent, numberedEvent, numberedEventFormat, numberedEventHead } from "./encode.ts";

export interface Dialect {
  /**
   * Frames a viewer is sent before the log's events, after the opening: a dialect's own opening
   * events, such as the Responses API's `response.created`. A dialect made for one viewer may
   * leave out those it has seen already.
   */
  readonly head?: string;
  /** The SSE frame of the token at `index` of the log (its id is index + 1). */
  token(index: number, text: string): string;
  /** The SSE frame of a tool step's event (`event: tool_call|tool_arguments|tool_result`). */
  step(event: StepEvent): string;
  /** The SSE frame of the final event. */
  end(event: EndEvent): string;
  /** The event count a `Last-Event-ID` value stands for; undefined when it is not one of ours. */
  cursor(lastEventId: string): number | undefined;
}

function endPayload(event: EndEvent): string {
  if (event.type === "error")
    return JSON.stringify({ code: event.code, message: event.message, retryable: event.retryable });
  return JSON.stringify({ finish_reason: event.finish_reason, usage: event.usage, timings: event.timings });
}

/** A step event's payload: the event without the fields SSE carries itself (`id:`, `event:`). */
function stepPayload(event: StepEvent): string {
  const { id: _id, type: _type, ...payload } = event;
  return JSON.stringify(payload);
}

function wholeNumber(text: string): number | undefined {
  return /^\d{1,15}$/.test(text) ? Number(text) : undefined;
}

const apiToken = numberedEventFormat("token", "");

/** `/api/streams/:id`: `event: token|done|error`, ids 1, 2, 3… */
export const apiDialect: Dialect = {
  token: (index, text) => apiToken(index + 1, text),
  step: (event) => formatEvent({ id: String(event.id), event: event.type, data: stepPayload(event) }),
  end: (event) => formatEvent({ id: String(event.id), event: event.type, data: endPayload(event) }),
  cursor: wholeNumber,
};

/**
 * `/chat?q=`: the id carries the generation (`<uuid>.<n>`), so a reconnecting EventSource, which
 * only sends `Last-Event-ID`, finds the same generation instead of starting a second model call.
 * One per viewer: its methods are the class's, its own only the generation's id and the checked head.
 */
class ClassicDialect implements Dialect {
  readonly #tokenHead: string;

  constructor(readonly generationId: string) {
    this.#tokenHead = numberedEventHead(undefined, `${generationId}.`);
  }

  token(index: number, text: string): string {
    return numberedEvent(this.#tokenHead, index + 1, text);
  }

  // Named events: the classic client's `onmessage` hears only tokens, as before.
  step(event: StepEvent): string {
    return formatEvent({ id: `${this.generationId}.${event.id}`, event: event.type, data: stepPayload(event) });
  }

  end(event: EndEvent): string {
    const id = `${this.generationId}.${event.id}`;
    if (event.type === "done") return formatEvent({ id, event: "done", data: "[DONE]" });
    return formatEvent({ id, event: "error", data: endPayload(event) });
  }

  cursor(lastEventId: string): number | undefined {
    const [generation, count] = lastEventId.split(".");
    return generation === this.generationId && count !== undefined ? wholeNumber(count) : undefined;
  }
}

export function classicDialect(generationId: string): Dialect {
  return new ClassicDialect(generationId);
}
