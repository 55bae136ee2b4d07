/**
 * An HTTP response that shows one generation to one viewer as Server-Sent Events.
 */
import type { GenerationView } from "../generation/view.ts";
import type { Held } from "../held.ts";
import type { Dialect } from "../sse/dialects.ts";
import { SSE_HEADERS } from "../sse/encode.ts";
import { subscribe } from "../sse/subscribe.ts";

export interface EventStreamSettings {
  heartbeatMs: number;
  retryMs: number;
  /** Takes an open-stream slot for the limit key (429 when none is free), held until released. */
  streamOpened: (limitKey: string | undefined) => Promise<Held>;
}

export interface ViewerRequest {
  /** Events the viewer has seen already (resume-point.ts). */
  after: number;
  dialect: Dialect;
  /** The request's signal: a second path to notice a client that left. */
  signal: AbortSignal;
  /** Whose share of the open streams this one takes (requester.ts). */
  limitKey: string | undefined;
  /** Headers a dialect adds to the event stream's own (the AI SDK's protocol version). */
  headers?: Readonly<Record<string, string>>;
}

/** Opens an event-stream response for one viewer of a generation. */
export type OpenEventStream = (generation: GenerationView, viewer: ViewerRequest) => Promise<Response>;

/** The event-stream responses of this app; headers and a first comment leave at once, before the first token. */
export function eventStreams(settings: EventStreamSettings): OpenEventStream {
  return async (generation, { limitKey, headers, ...viewer }) => {
    const slot = await settings.streamOpened(limitKey);
    const stream = subscribe(generation, {
      ...viewer,
      heartbeatMs: settings.heartbeatMs,
      retryMs: settings.retryMs,
      slot,
    });
    return new Response(stream, { headers: headers ? { ...SSE_HEADERS, ...headers } : SSE_HEADERS });
  };
}
