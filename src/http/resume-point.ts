/**
 * The one place that reads where a viewer resumes: the `Last-Event-ID` header (what EventSource
 * sends when it reconnects), else the `lastEventId` query (for clients that cannot set headers),
 * and, for `/chat`, the generation its id names.
 * Spec: https://html.spec.whatwg.org/multipage/server-sent-events.html#the-last-event-id-header
 */
import { ValidationError } from "../errors.ts";
import type { GenerationView } from "../generation/view.ts";
import type { Dialect } from "../sse/dialects.ts";

/** The last event id a client sent, or undefined when it sent none (a first connection). */
export function lastEventIdOf(request: Request, query: { lastEventId?: string | undefined }): string | undefined {
  const id = request.headers.get("last-event-id") ?? query.lastEventId;
  return id === null || id === undefined || id === "" ? undefined : id;
}

/** The generation a classic (`/chat`) last event id (`<generation>.<n>`, see dialects.ts) names. */
export function generationNamedBy(lastEventId: string): string | undefined {
  const dot = lastEventId.indexOf(".");
  return dot > 0 ? lastEventId.slice(0, dot) : undefined;
}

// A client may have read events from the owning instance that this instance's copy, following it
// through Redis, has not received yet (they are milliseconds behind): it waits this long for them.
export const CATCH_UP_MS = 3_000;

/**
 * How many events of `generation` the viewer has seen: 0 with no last event id. A view that
 * follows another instance is first given time to catch up with the id.
 */
export async function resumePoint(
  lastEventId: string | undefined,
  dialect: Dialect,
  generation: Pick<GenerationView, "log" | "reach">,
): Promise<number> {
  if (lastEventId === undefined) return 0;
  const cursor = dialect.cursor(lastEventId);
  if (cursor === undefined) throw new ValidationError("Last-Event-ID", "is not an event id of this stream");
  if (cursor > generation.log.length) await generation.reach?.(cursor, CATCH_UP_MS);
  // Ids past the log are not ours to invent; the viewer would silently skip events.
  if (cursor > generation.log.length) throw new ValidationError("Last-Event-ID", "is past the end of this stream");
  return cursor;
}
