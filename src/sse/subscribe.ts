/**
 * One viewer of a generation as a byte stream: a `retry:` hint and a comment at once (so headers
 * leave before the first token), the recorded events from the viewer's cursor, then live ones,
 * with heartbeats. Pull-based: events are read from the generation's log only as fast as the
 * client takes them, so a slow reader costs no memory beyond the shared log.
 */
import type { Generation } from "../generation/generation.ts";
import { formatComment, formatEvent, formatRetry } from "./encode.ts";
import type { EventView } from "./views.ts";

export interface SubscribeOptions {
  /** Events already seen: 0 replays from the start. */
  after: number;
  view: EventView;
  heartbeatMs: number;
  retryMs: number;
  /** The request's signal: a second path to notice a client that left. */
  signal?: AbortSignal;
  /** Called once when the viewer is gone or the stream ended. */
  onClose?: () => void;
}

const encoder = new TextEncoder();
const PING = encoder.encode(formatComment("ping"));
// Bounds one chunk when a reconnecting viewer replays a long answer.
const MAX_EVENTS_PER_CHUNK = 256;

/** Streams `generation` to one viewer; cancelling the stream releases the viewer. */
export function subscribe(generation: Generation, options: SubscribeOptions): ReadableStream<Uint8Array> {
  let cursor = options.after;
  let closed = false;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  const release = generation.attach();
  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    options.signal?.removeEventListener("abort", finish);
    release();
    options.onClose?.();
  };
  options.signal?.addEventListener("abort", finish);

  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controller.enqueue(encoder.encode(`${formatRetry(options.retryMs)}${formatComment("connected")}`));
        heartbeat = setInterval(() => {
          // Only when the client keeps up: pings must not pile up behind a stalled reader.
          if (!closed && (controller.desiredSize ?? 0) > 0) controller.enqueue(PING);
        }, options.heartbeatMs);
      },
      async pull(controller) {
        await generation.waitForEvent(cursor);
        if (closed) return;
        const events = generation.events;
        const end = Math.min(events.length, cursor + MAX_EVENTS_PER_CHUNK);
        let frame = "";
        for (; cursor < end; cursor++)
          frame += formatEvent(options.view.message(events[cursor] as (typeof events)[number]));
        if (frame) controller.enqueue(encoder.encode(frame));
        if (generation.ended && cursor >= events.length) {
          finish();
          controller.close();
        }
      },
      cancel: finish,
    },
    { highWaterMark: 1 },
  );
}
