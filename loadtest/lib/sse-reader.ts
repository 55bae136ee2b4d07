/**
 * Reads a text/event-stream body and hands each event to a callback with the time its bytes
 * arrived (performance.now(), ms). Events that arrive in one network chunk share that chunk's time:
 * that is when a browser could first have shown them.
 */
import { createParser, type EventSourceMessage } from "eventsource-parser";

export interface TimedEvent extends EventSourceMessage {
  /** performance.now() when the chunk holding the end of this event arrived. */
  at: number;
}

export interface SseHandlers {
  /** Return `false` to stop reading (the connection is then cancelled, as a leaving client does). */
  onEvent(event: TimedEvent): boolean | undefined;
  /** A `:` comment line (`: connected`, `: ping`). */
  onComment?(comment: string, at: number): void;
  /** The first body bytes of any kind (the `retry:` / comment preamble included). */
  onFirstByte?(at: number): void;
}

/** How the reading ended: the server closed the body, or a handler asked to stop. */
export type ReadEnd = "closed" | "stopped";

/** Consumes `body` until it ends or a handler returns false; rejects on network errors and aborts. */
export async function readEvents(body: ReadableStream<Uint8Array>, handlers: SseHandlers): Promise<ReadEnd> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let at = 0;
  let stop = false;
  const parser = createParser({
    onEvent(event) {
      if (!stop && handlers.onEvent({ ...event, at }) === false) stop = true;
    },
    onComment(comment) {
      handlers.onComment?.(comment, at);
    },
  });
  let first = true;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      parser.feed(decoder.decode());
      return "closed";
    }
    at = performance.now();
    if (first) {
      first = false;
      handlers.onFirstByte?.(at);
    }
    parser.feed(decoder.decode(value, { stream: true }));
    if (stop) {
      await reader.cancel().catch(() => {});
      return "stopped";
    }
  }
}
