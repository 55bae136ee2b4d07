/**
 * An HTTP response that shows one generation to one viewer as Server-Sent Events.
 */
import type { GenerationView } from "../generation/view.ts";
import type { Dialect } from "../sse/dialects.ts";
import { SSE_HEADERS } from "../sse/encode.ts";
import { subscribe } from "../sse/subscribe.ts";

export interface EventStreamSettings {
  heartbeatMs: number;
  retryMs: number;
  /** Counts an open stream; returns the function that counts it closed. */
  streamOpened: () => () => void;
}

export interface ViewerRequest {
  /** Events the viewer has seen already (resume-point.ts). */
  after: number;
  dialect: Dialect;
  /** The request's signal: a second path to notice a client that left. */
  signal: AbortSignal;
  /** Headers a dialect adds to the event stream's own (the AI SDK's protocol version). */
  headers?: Readonly<Record<string, string>>;
}

/** Opens an event-stream response for one viewer of a generation. */
export type OpenEventStream = (generation: GenerationView, viewer: ViewerRequest) => Response;

/** The event-stream responses of this app; headers and a first comment leave at once, before the first token. */
export function eventStreams(settings: EventStreamSettings): OpenEventStream {
  return (generation, { headers, ...viewer }) => {
    const stream = subscribe(generation, {
      ...viewer,
      heartbeatMs: settings.heartbeatMs,
      retryMs: settings.retryMs,
      onClose: settings.streamOpened(),
    });
    return new Response(stream, { headers: headers ? { ...SSE_HEADERS, ...headers } : SSE_HEADERS });
  };
}
