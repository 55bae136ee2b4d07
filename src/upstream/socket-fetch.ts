/**
 * fetch's signature over Bun's own TCP sockets, for the `openai` client on Bun. Bun's fetch reads
 * every response on its "HTTP Client" thread and hands each read over to the JS thread; here the
 * socket is read on the JS thread's event loop, one callback per read, and a streamed body goes
 * to its reader (response-body.ts) without a promise or a copy. The `openai` client still builds
 * the request, maps statuses to its errors and reads error bodies through the returned Response.
 *
 * HTTP/1.1 only (http1-response.ts), idle connections kept per origin. What it does not do
 * (request bodies other than text, proxies) goes to fetch.
 */
import type { Socket, SocketHandler } from "bun";
import { HttpResponseReader, type ResponseHead } from "./http1-response.ts";
import { SocketBody } from "./socket-body.ts";

// Idle connections kept per origin: enough for the streams of a busy minute to reuse theirs.
const MAX_IDLE_PER_ORIGIN = 1_024;

/** One connection; it carries one request at a time. */
class Connection {
  socket: Socket<Connection> | undefined;
  /** The exchange in progress, or undefined while idle. */
  exchange: Exchange | undefined;
  closed = false;

  constructor(readonly origin: string) {}
}

/** One request and its response, on one connection. */
interface Exchange {
  reader: HttpResponseReader;
  /** The request's bytes not written yet (the socket's buffer was full). */
  unsent: Uint8Array | undefined;
  /** Set once the response's head arrived. */
  body: SocketBody | undefined;
  /** Whether any byte of the response arrived: a reused connection closed before one is retried. */
  answered: boolean;
  fail(error: unknown): void;
}

const idle = new Map<string, Connection[]>();

function release(connection: Connection, reusable: boolean): void {
  connection.exchange = undefined;
  const pool = idle.get(connection.origin) ?? [];
  if (!reusable || connection.closed || pool.length >= MAX_IDLE_PER_ORIGIN) {
    connection.socket?.end();
    return;
  }
  pool.push(connection);
  idle.set(connection.origin, pool);
}

function forget(connection: Connection): void {
  const pool = idle.get(connection.origin);
  const index = pool?.indexOf(connection) ?? -1;
  if (pool && index !== -1) pool.splice(index, 1);
}

/** Writes what is left of the request; the rest waits for `drain`. */
function writeRequest(connection: Connection): void {
  const exchange = connection.exchange;
  const socket = connection.socket;
  if (!exchange?.unsent || !socket) return;
  const written = socket.write(exchange.unsent);
  exchange.unsent = written < exchange.unsent.length ? exchange.unsent.subarray(Math.max(0, written)) : undefined;
}

// One handler object for every connection: each socket carries its Connection as `data`.
const handlers: SocketHandler<Connection> = {
  open: (socket) => {
    socket.data.socket = socket;
    writeRequest(socket.data);
  },
  drain: (socket) => writeRequest(socket.data),
  data: (socket, bytes) => {
    const exchange = socket.data.exchange;
    if (!exchange) return;
    exchange.answered = true;
    try {
      exchange.reader.feed(bytes);
    } catch (error) {
      exchange.fail(error);
    }
  },
  close: (socket, error) => {
    const connection = socket.data;
    connection.closed = true;
    forget(connection);
    const exchange = connection.exchange;
    if (!exchange) return;
    try {
      if (error) throw error;
      exchange.reader.close();
    } catch (cause) {
      exchange.fail(cause);
    }
  },
  error: (socket, error) => socket.data.exchange?.fail(error),
  connectError: (socket, error) => socket.data.exchange?.fail(error),
};

function connect(url: URL, connection: Connection): void {
  const https = url.protocol === "https:";
  Bun.connect({
    hostname: url.hostname.replace(/^\[|\]$/g, ""),
    port: Number(url.port || (https ? 443 : 80)),
    ...(https ? { tls: { serverName: url.hostname } } : {}),
    data: connection,
    socket: handlers,
  }).catch((error: unknown) => connection.exchange?.fail(error));
}

/** The request as bytes: HTTP/1.1, the headers the client set, the length of a text body. */
function requestBytes(url: URL, method: string, headers: Headers, body: string | undefined): Uint8Array {
  let head = `${method} ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\n`;
  for (const [name, value] of headers) {
    if (name === "host" || name === "content-length" || name === "connection" || name === "accept-encoding") continue;
    head += `${name}: ${value.replace(/[\r\n]/g, "")}\r\n`;
  }
  // Bodies come back as they are sent: nothing here decompresses them.
  head += "accept-encoding: identity\r\n";
  if (body !== undefined) head += `content-length: ${Buffer.byteLength(body)}\r\n`;
  return Buffer.from(`${head}\r\n${body ?? ""}`);
}

function toResponse(head: ResponseHead, body: SocketBody): Response {
  const headers = new Headers(head.headers);
  const bodiless = head.status === 204 || head.status === 304;
  const response = new Response(bodiless ? null : body.stream(), {
    status: head.status,
    statusText: head.statusText,
    headers,
  });
  if (!bodiless) SocketBody.register(response, body);
  return response;
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("This operation was aborted", "AbortError");
}

/** Sends one request on a connection (an idle one when there is one); `retry` once when a reused one was closed. */
function exchange(url: URL, bytes: Uint8Array, signal: AbortSignal | undefined, bodiless: boolean): Promise<Response> {
  return new Promise((resolve, reject) => {
    const origin = url.origin;
    const reused = idle.get(origin)?.pop();
    const connection = reused ?? new Connection(origin);
    const abort = () => state.fail(abortError(signal as AbortSignal));
    const done = () => signal?.removeEventListener("abort", abort);
    const state: Exchange = {
      unsent: bytes,
      body: undefined,
      answered: false,
      reader: new HttpResponseReader(
        {
          head(head) {
            state.body = new SocketBody(() => state.fail(new DOMException("the body was cancelled", "AbortError")));
            resolve(toResponse(head, state.body));
          },
          body: (chunk) => state.body?.push(chunk),
          end(reusable) {
            done();
            state.body?.end();
            release(connection, reusable);
          },
        },
        bodiless,
      ),
      fail(error) {
        if (connection.exchange !== state) return;
        connection.exchange = undefined;
        done();
        connection.socket?.terminate();
        if (state.body) return state.body.error(error);
        if (reused && !state.answered && !signal?.aborted)
          return exchange(url, bytes, signal, bodiless).then(resolve, reject);
        reject(signal?.aborted ? abortError(signal) : new TypeError("fetch failed", { cause: error }));
      },
    };
    connection.exchange = state;
    signal?.addEventListener("abort", abort, { once: true });
    if (reused) writeRequest(connection);
    else connect(url, connection);
  });
}

/** Sends a request with a text body (or none), as the `openai` client does. */
export function socketFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const body = init.body ?? undefined;
  if (input instanceof Request || (body !== undefined && typeof body !== "string")) return fetch(input, init);
  const url = new URL(input);
  if (url.protocol !== "http:" && url.protocol !== "https:") return fetch(input, init);
  const signal = init.signal ?? undefined;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  const method = (init.method ?? "GET").toUpperCase();
  return exchange(url, requestBytes(url, method, new Headers(init.headers), body), signal, method === "HEAD");
}
