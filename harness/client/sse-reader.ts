/**
 * The one SSE reader of the load tools and the tests: reads a text/event-stream body with
 * eventsource-parser (the WHATWG rules: fields split on CR, LF or CRLF, multi-line data joined
 * with LF) and hands each event to a callback with the time its bytes arrived (performance.now(),
 * ms) and the index of the network read that completed it. Events that arrive in one read share
 * its time: that is when a browser could first have shown them.
 */
import { createParser, type EventSourceMessage } from "eventsource-parser";

export interface TimedEvent extends EventSourceMessage {
  /** performance.now() when the chunk holding the end of this event arrived. */
  at: number;
  /** 0-based index of that chunk: events that share one arrived bunched. */
  read: number;
}

export interface SseHandlers {
  /** Return `false` to stop reading (the body is then cancelled, and no later event is handed over). */
  onEvent(event: TimedEvent): boolean | undefined;
  /** A `:` comment line (`: connected`, `: ping`). */
  onComment?(comment: string, at: number): void;
  /** A `retry:` field, in ms. */
  onRetry?(retryMs: number): void;
  /** Every network read, before its events: its time and size (the `retry:` preamble included). */
  onRead?(at: number, bytes: number): void;
}

/** How the reading ended: the server closed the body, or a handler asked to stop. */
export type ReadEnd = "closed" | "stopped";

/** Consumes `body` until it ends or a handler returns false; rejects on network errors and aborts. */
export async function readEvents(body: ReadableStream<Uint8Array>, handlers: SseHandlers): Promise<ReadEnd> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let at = 0;
  let read = -1;
  let stop = false;
  const parser = createParser({
    onEvent(event) {
      if (!stop && handlers.onEvent({ ...event, at, read }) === false) stop = true;
    },
    onComment(comment) {
      handlers.onComment?.(comment, at);
    },
    onRetry(retryMs) {
      handlers.onRetry?.(retryMs);
    },
  });
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      parser.feed(decoder.decode());
      return "closed";
    }
    at = performance.now();
    read += 1;
    handlers.onRead?.(at, value.byteLength);
    parser.feed(decoder.decode(value, { stream: true }));
    if (stop) {
      await reader.cancel().catch(() => {});
      return "stopped";
    }
  }
}
