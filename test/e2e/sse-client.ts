/**
 * A browser-like SSE client for the e2e tests: it asks for gzip as browsers do, records when
 * each event arrived and in which network read (through the load tools' SSE reader), and never
 * waits without a bound.
 */
import { readEvents } from "../../loadtest/lib/sse-reader.ts";

export interface ReceivedEvent {
  event: string;
  data: string;
  id: string | undefined;
  /** performance.now() when the read that completed it returned. */
  at: number;
  /** Index of that read (0-based): events that share one arrived bunched. */
  read: number;
}

export interface StreamResult {
  status: number;
  headers: Headers;
  events: ReceivedEvent[];
  /** `: ping` and other comment lines seen. */
  comments: { text: string; at: number }[];
  reads: number;
  /** eof: the server ended the body; closed: the client stopped it; error: the connection broke. */
  ended: "eof" | "closed" | "error" | "timeout";
  error?: string;
}

export interface ReadOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Whole-request bound; on expiry the result says "timeout" (the caller's assertion fails). */
  timeoutMs?: number;
  /** Close the connection (as a closed tab does) once this returns true for an event. */
  closeWhen?: (event: ReceivedEvent, events: ReceivedEvent[]) => boolean;
  /** Called for every event as it arrives (e.g. to reload nginx mid-stream). */
  onEvent?: (event: ReceivedEvent, events: ReceivedEvent[]) => void;
  /** Certificate authority to trust for https:// (a test's self-signed certificate). */
  ca?: string;
}

/** Opens `url` and reads its event stream to the end, or until `closeWhen` or the timeout. */
export async function readStream(url: string, options: ReadOptions = {}): Promise<StreamResult> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs ?? 30_000);
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers = {
    accept: "text/event-stream",
    "accept-encoding": "gzip, deflate",
    ...(body ? { "content-type": "application/json" } : {}),
    ...options.headers,
  };
  try {
    const tls = options.ca ? { tls: { ca: options.ca } } : {};
    const init = { method: options.method ?? "GET", headers, body, signal: controller.signal, ...tls };
    const response = await fetch(url, init);
    const result: StreamResult = {
      status: response.status,
      headers: response.headers,
      events: [],
      comments: [],
      reads: 0,
      ended: "eof",
    };
    if (response.body) await readInto(result, response.body, options, controller, () => timedOut);
    return result;
  } finally {
    clearTimeout(timer);
  }
}

/** Reads `body` into `result`; a close asked for by `closeWhen` aborts the request, as a closed tab does. */
async function readInto(
  result: StreamResult,
  body: ReadableStream<Uint8Array>,
  options: ReadOptions,
  controller: AbortController,
  timedOut: () => boolean,
): Promise<void> {
  let closed = false;
  try {
    await readEvents(body, {
      onRead: () => {
        result.reads++;
      },
      onEvent: (message) => {
        const { data, id, at, read } = message;
        const event = { event: message.event ?? "message", data, id, at, read };
        result.events.push(event);
        options.onEvent?.(event, result.events);
        if (!options.closeWhen?.(event, result.events)) return undefined;
        closed = true;
        controller.abort();
        return false;
      },
      onComment: (text, at) => result.comments.push({ text, at }),
    });
    if (closed) result.ended = "closed";
  } catch (error) {
    result.ended = closed ? "closed" : timedOut() ? "timeout" : "error";
    if (!closed) result.error = String(error);
  }
}

/**
 * The user message that makes the simulator answer `tokens` tokens at `tps` per second, with
 * `fault` (e.g. "stall:2:75000") when given.
 */
export function paced(tokens: number, tps: number, prompt = "Tell me about rivers", fault?: string): string {
  return `/sim ttft_ms=50 tps=${tps} tokens=${tokens}${fault ? ` fault=${fault}` : ""}\n${prompt}`;
}

/** The token events' texts joined: the answer as the user sees it. */
export function answerText(events: ReceivedEvent[]): string {
  return events
    .filter((event) => event.event === "token")
    .map((event) => event.data)
    .join("");
}
