/**
 * Sluice's own protocol: POST /api/chat answers 202 with a `streamUrl`, and GET of that URL is
 * an SSE stream of `token` events then one `done` (or one `error`), each with an integer `id:`.
 */
import { expectStatus } from "../../harness/client/api.ts";
import { type StartedChat, startChat as startChatOnce } from "../../harness/client/chat.ts";
import type { ChatMessage } from "../../harness/client/sim-prompt.ts";
import { readEvents } from "../../harness/client/sse-reader.ts";
import { LoadError } from "./errors.ts";
import { trackOpenStream } from "./stream-metrics.ts";

export interface ReceivedToken {
  id: number;
  text: string;
  at: number;
}

export interface DonePayload {
  finish_reason: string;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  timings?: { ttft_ms: number | null; total_ms: number };
}

/** How one SSE connection went: `left` means the client closed it on purpose. */
export interface StreamReading {
  headersAt: number;
  tokens: ReceivedToken[];
  end: "done" | "error" | "closed" | "left";
  done?: DonePayload;
  error?: { code: string; message: string };
  /** The id of the last event seen, for a Last-Event-ID reconnect. */
  lastEventId?: string;
  /** performance.now() when the `done` or `error` event arrived. */
  endedAt?: number;
}

/**
 * POST /api/chat under a load iteration's signal: the harness's startChat, whose refusals
 * (ResponseError) the runner counts as `http_<status>` or `bad_response`.
 */
export function startChat(baseUrl: string, messages: ChatMessage[], signal: AbortSignal): Promise<StartedChat> {
  return startChatOnce(baseUrl, messages, { signal });
}

export interface ReadOptions {
  signal: AbortSignal;
  /** Resume after this event id (sent as the Last-Event-ID header). */
  lastEventId?: string;
  /** Close the connection after this many tokens on it, as a client that leaves. */
  leaveAfterTokens?: number;
  /** Called with each token as it arrives (e.g. to press Stop after a few). */
  onToken?: (token: ReceivedToken, count: number) => void;
  /** Called on every network read (e.g. to count how bunched the tokens arrived). */
  onRead?: (at: number, bytes: number) => void;
  /** Called with every other event (a tool step's: `tool_call`, `tool_arguments`, `tool_result`). */
  onOther?: (event: { event?: string | undefined; data: string; at: number }) => void;
}

/** GET the stream and read it to its end (or until the client leaves); never throws on `event: error`. */
export async function readChatStream(url: string, options: ReadOptions): Promise<StreamReading> {
  const headers: Record<string, string> = { accept: "text/event-stream" };
  if (options.lastEventId !== undefined) headers["last-event-id"] = options.lastEventId;
  // Cancelling the body alone may leave the socket to the pool; aborting makes leaving a real close.
  const connection = new AbortController();
  const signal = AbortSignal.any([options.signal, connection.signal]);
  const response = await fetch(url, { headers, signal });
  const reading: StreamReading = { headersAt: performance.now(), tokens: [], end: "closed" };
  await expectStatus(response, 200, `GET ${new URL(url).pathname}`);
  if (!response.body) throw new LoadError("bad_response", "stream response without a body");
  const closed = trackOpenStream();
  try {
    await readEvents(response.body, {
      ...(options.onRead ? { onRead: options.onRead } : {}),
      onEvent(event) {
        if (event.id !== undefined) reading.lastEventId = event.id;
        if (event.event === "token") {
          const token = { id: Number(event.id), text: event.data, at: event.at };
          reading.tokens.push(token);
          options.onToken?.(token, reading.tokens.length);
          const leave = options.leaveAfterTokens !== undefined && reading.tokens.length >= options.leaveAfterTokens;
          if (leave) reading.end = "left";
          return !leave;
        }
        if (event.event === "done") {
          reading.end = "done";
          reading.endedAt = event.at;
          reading.done = JSON.parse(event.data) as DonePayload;
          return false;
        }
        if (event.event === "error") {
          reading.end = "error";
          reading.endedAt = event.at;
          reading.error = JSON.parse(event.data) as { code: string; message: string };
          return false;
        }
        options.onOther?.(event);
        return undefined;
      },
    });
  } finally {
    if (reading.end === "left") connection.abort();
    closed();
  }
  return reading;
}

/** Throws the LoadError for a stream that did not end with `done`. */
export function expectDone(reading: StreamReading): DonePayload {
  if (reading.end === "done" && reading.done) return reading.done;
  if (reading.end === "error") {
    throw new LoadError(`sse_${reading.error?.code ?? "unknown"}`, reading.error?.message ?? "event: error");
  }
  throw new LoadError("incomplete", `stream ended (${reading.end}) after ${reading.tokens.length} tokens`);
}
