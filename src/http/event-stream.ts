/**
 * An HTTP response that shows one generation to one viewer as Server-Sent Events.
 */
import { ValidationError } from "../errors.ts";
import type { Generation } from "../generation/generation.ts";
import type { Services } from "../services.ts";
import { SSE_HEADERS } from "../sse/encode.ts";
import { subscribe } from "../sse/subscribe.ts";
import type { EventView } from "../sse/views.ts";

/** How many events the viewer has seen, from `Last-Event-ID` (or `?lastEventId=`); 0 when absent. */
export function resumePoint(lastEventId: string | null | undefined, view: EventView, generation: Generation): number {
  if (lastEventId === null || lastEventId === undefined || lastEventId === "") return 0;
  const cursor = view.cursor(lastEventId);
  if (cursor === undefined) throw new ValidationError("Last-Event-ID", "is not an event id of this stream");
  // Ids past the log are not ours to invent; the viewer would silently skip events.
  if (cursor > generation.log.length) throw new ValidationError("Last-Event-ID", "is past the end of this stream");
  return cursor;
}

/** The event-stream response; headers and a first comment leave at once, before the first token. */
export function eventStreamResponse(
  services: Services,
  generation: Generation,
  options: { after: number; view: EventView; signal: AbortSignal },
): Response {
  const stream = subscribe(generation, {
    ...options,
    heartbeatMs: services.config.heartbeatMs,
    retryMs: services.config.retryMs,
    onClose: services.metrics.streamOpened(),
  });
  return new Response(stream, { headers: SSE_HEADERS });
}
