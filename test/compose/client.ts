/**
 * Every request the compose tests send to Sluice goes through `sluiceRequest`, through the
 * published nginx port, as a user's would, with the access token the app made at its first start
 * (`Authorization: Bearer …`) once the suite has read it.
 */
import { createParser } from "eventsource-parser";
import type { ReceivedEvent } from "../e2e/sse-client.ts";

/** nginx's published port: docker-compose.yml's SLUICE_HTTP_PORT, 8080 unless set. */
export const httpPort = Number(process.env.SLUICE_HTTP_PORT ?? 8080);

let accessToken: string | undefined;

/** From now on, requests carry `token` (undefined: none, as an anonymous client's). */
export function useAccessToken(token: string | undefined): void {
  accessToken = token;
}

/** One request to Sluice; bounded unless the caller passes its own signal. */
export function sluiceRequest(path: string, init: RequestInit = {}, port = httpPort): Promise<Response> {
  const headers = new Headers(init.headers);
  if (accessToken && !headers.has("authorization") && !headers.has("cookie"))
    headers.set("authorization", `Bearer ${accessToken}`);
  return fetch(`http://127.0.0.1:${port}${path}`, {
    ...init,
    headers,
    signal: init.signal ?? AbortSignal.timeout(15_000),
  });
}

export interface ReadStreamOptions {
  lastEventId?: string;
  /** Further request headers, e.g. an X-Request-Id to find the request in nginx's access log. */
  headers?: Record<string, string>;
  /** Close the connection, as a dropped network would, once this returns true. */
  closeWhen?: (events: ReceivedEvent[]) => boolean;
  /** Called for each event as it arrives. */
  onEvent?: (event: ReceivedEvent) => void;
  port?: number;
  timeoutMs?: number;
}

export interface ReadStreamResult {
  status: number;
  headers: Headers;
  events: ReceivedEvent[];
  /** eof: the server ended it; closed: `closeWhen` did; timeout: the bound did. */
  ended: "eof" | "closed" | "timeout";
  /** The body of an answer that is not a stream (status 4xx or 5xx). */
  error?: string;
}

/**
 * Reads an event stream as a browser does (asking for gzip), recording when and in which network
 * read each event arrived, never without a bound.
 */
export async function readEvents(path: string, options: ReadStreamOptions = {}): Promise<ReadStreamResult> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error("timeout")), options.timeoutMs ?? 60_000);
  const events: ReceivedEvent[] = [];
  let reads = 0;
  let ended = "eof" as ReadStreamResult["ended"];
  const parser = createParser({
    onEvent: ({ event, data, id }) => {
      const received = { event: event ?? "message", data, id, at: performance.now(), read: reads - 1 };
      events.push(received);
      options.onEvent?.(received);
      if (ended === "eof" && options.closeWhen?.(events)) {
        ended = "closed";
        controller.abort();
      }
    },
  });
  const headers: Record<string, string> = {
    accept: "text/event-stream",
    "accept-encoding": "gzip, deflate",
    ...options.headers,
  };
  if (options.lastEventId) headers["last-event-id"] = options.lastEventId;
  try {
    const response = await sluiceRequest(path, { headers, signal: controller.signal }, options.port);
    // An error answer is JSON, not events: its text says why.
    if (!response.ok)
      return { status: response.status, headers: response.headers, events, ended, error: await response.text() };
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body ?? []) {
        reads++;
        parser.feed(decoder.decode(chunk, { stream: true }));
      }
    } catch {
      if (ended !== "closed") ended = "timeout";
    }
    return { status: response.status, headers: response.headers, events, ended };
  } finally {
    clearTimeout(timer);
  }
}
