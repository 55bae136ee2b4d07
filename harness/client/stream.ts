/**
 * Reading an event stream as a browser does, for the tests: a real socket, the one SSE reader
 * (sse-reader.ts, an independent spec parser, not the server's encoder), every event timed and
 * numbered by the network read that completed it, and a bound on the whole read, so that a
 * stalled stream fails a test instead of hanging it.
 */
import { request } from "./api.ts";
import { readEvents } from "./sse-reader.ts";

export interface ReceivedEvent {
  /** The `event:` field as sent; undefined for the default type (`message`). */
  event: string | undefined;
  data: string;
  id: string | undefined;
  /** performance.now() when the read that completed it returned. */
  at: number;
  /** Index of that read (0-based): events that share one arrived bunched. */
  read: number;
}

export interface StreamRead {
  status: number;
  headers: Headers;
  /** performance.now() when the request was sent. */
  startedAt: number;
  events: ReceivedEvent[];
  /** `: connected`, `: ping` and other comment lines, trimmed. */
  comments: string[];
  /** Each network read's time (performance.now()) and byte length. */
  reads: { at: number; bytes: number }[];
  retry: number | undefined;
  /** eof: the server ended the body; left: `closeWhen` closed it; error: the connection broke. */
  ended: "eof" | "left" | "error" | "timeout";
  /** Why it broke, or the body of an answer that is not a stream (4xx, 5xx). */
  error?: string;
}

export interface StreamOptions {
  method?: string;
  /** Sent as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Resume after this event id (the Last-Event-ID header). */
  lastEventId?: string | undefined;
  /** A user's access token (Authorization: Bearer). */
  token?: string | undefined;
  /** Whole-read bound (default 30 s); on expiry the read says "timeout". */
  timeoutMs?: number;
  /** Close the connection, as a closed tab does, once this returns true for an event. */
  closeWhen?: (event: ReceivedEvent, events: ReceivedEvent[]) => boolean;
  /** Called for every event as it arrives (e.g. to press Stop or reload nginx mid-stream). */
  onEvent?: (event: ReceivedEvent, events: ReceivedEvent[]) => void;
  /** Certificate authority to trust for https:// (a test's self-signed certificate). */
  ca?: string | undefined;
}

/** Opens `url` (GET, or `method` with a JSON `body`) and reads it to its end, `closeWhen`, or the bound. */
export async function readStream(url: string, options: StreamOptions = {}): Promise<StreamRead> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort("timeout"), options.timeoutMs ?? 30_000);
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = {
    accept: "text/event-stream",
    // As browsers ask: a proxy that compresses event streams shows here.
    "accept-encoding": "gzip, deflate",
    ...(body ? { "content-type": "application/json" } : {}),
    ...(options.lastEventId === undefined ? {} : { "last-event-id": options.lastEventId }),
    ...options.headers,
  };
  const read: StreamRead = {
    ...{ status: 0, headers: new Headers(), startedAt: performance.now() },
    ...{ events: [], comments: [], reads: [], retry: undefined, ended: "eof" },
  };
  try {
    const init = { method: options.method ?? "GET", headers, ...(body ? { body } : {}) };
    const response = await request(url, init, { ...options, signal: controller.signal });
    read.status = response.status;
    read.headers = response.headers;
    if (!response.ok) read.error = await response.text();
    else if (response.body) await readInto(read, response.body, options, controller);
  } catch (error) {
    // Only the bound may end a read before its answer: anything else is the test's to see.
    if (controller.signal.reason !== "timeout") throw error;
    read.ended = "timeout";
  } finally {
    clearTimeout(timer);
  }
  return read;
}

/** Reads `body` into `read`; a close asked for by `closeWhen` aborts the request, as a closed tab does. */
async function readInto(
  read: StreamRead,
  body: ReadableStream<Uint8Array>,
  options: StreamOptions,
  controller: AbortController,
): Promise<void> {
  try {
    const end = await readEvents(body, {
      onRead: (at, bytes) => read.reads.push({ at, bytes }),
      onEvent: ({ event, data, id, at, read: index }) => {
        const received = { event, data, id, at, read: index };
        read.events.push(received);
        options.onEvent?.(received, read.events);
        return options.closeWhen?.(received, read.events) ? false : undefined;
      },
      onComment: (comment) => read.comments.push(comment.trim()),
      onRetry: (retry) => {
        read.retry = retry;
      },
    });
    if (end === "stopped") {
      read.ended = "left";
      // Cancelling the body may leave the socket to the pool; aborting closes it, as a client that leaves.
      controller.abort("left");
    }
  } catch (error) {
    read.ended = controller.signal.reason === "timeout" ? "timeout" : "error";
    read.error = String(error);
  }
}

/** The token events' texts joined: the answer as the user sees it. */
export function answerText(events: { event?: string | undefined; data: string }[]): string {
  return events
    .filter((event) => event.event === "token")
    .map((event) => event.data)
    .join("");
}
