/**
 * fetch's signature over plain TCP connections (tcp.ts), for the `openai` client. Bun's fetch
 * reads every response on its "HTTP Client" thread and hands each read over to the JS thread;
 * Deno's hands each one through a byte stream, a few promises per read. Here the socket is read
 * on the JS thread, and a streamed body goes to its reader (response-body.ts) one call per read,
 * without a promise or a copy. The `openai` client still builds the request, maps statuses to
 * its errors and reads error bodies through the returned Response.
 *
 * HTTP/1.1 only (http1-response.ts), idle connections kept per origin. A request body is text,
 * or a chat request's body (request-body.ts) written a chunk at a time as the socket takes it.
 * What it does not do (other request bodies, proxies) goes to fetch.
 */
import { connectTcp, type TcpConnection, type TcpEvents } from "../tcp.ts";
import { signalOf } from "./call-signal.ts";
import { HttpResponseReader, type ResponseHandlers, type ResponseHead } from "./http1-response.ts";
import { type ChatRequestBody, requestBodyOf } from "./request-body.ts";
import { SocketBody } from "./socket-body.ts";

// Idle connections kept per origin: enough for the streams of a busy minute to reuse theirs.
const MAX_IDLE_PER_ORIGIN = 1_024;

const idle = new Map<string, Connection[]>();

/** One connection; it carries one request at a time. */
class Connection implements TcpEvents {
  readonly tcp: TcpConnection;
  /** The exchange in progress, or undefined while idle. */
  exchange: Exchange | undefined;
  closed = false;

  constructor(
    readonly origin: string,
    url: URL,
  ) {
    const https = url.protocol === "https:";
    const hostname = url.hostname.replace(/^\[|\]$/g, "");
    const port = Number(url.port || (https ? 443 : 80));
    this.tcp = connectTcp({ hostname, port, ...(https ? { tls: { serverName: hostname } } : {}) }, this);
  }

  data(bytes: Uint8Array): void {
    const exchange = this.exchange;
    if (!exchange) return;
    exchange.answered = true;
    try {
      exchange.reader.feed(bytes);
    } catch (error) {
      exchange.fail(error);
    }
  }

  close(error?: unknown): void {
    this.closed = true;
    const pool = idle.get(this.origin);
    const index = pool?.indexOf(this) ?? -1;
    if (pool && index !== -1) pool.splice(index, 1);
    const exchange = this.exchange;
    if (!exchange) return;
    try {
      if (error) throw error;
      exchange.reader.close();
    } catch (cause) {
      exchange.fail(cause);
    }
  }

  /** The exchange ended; the connection waits for the next one, or closes. */
  release(reusable: boolean): void {
    this.exchange = undefined;
    const pool = idle.get(this.origin) ?? [];
    if (!reusable || this.closed || pool.length >= MAX_IDLE_PER_ORIGIN) this.tcp.destroy();
    else {
      pool.push(this);
      idle.set(this.origin, pool);
    }
  }
}

/** A request's body: text, or a chat request's body written in chunks. */
type OutgoingBody = string | ChatRequestBody | undefined;

/** The request's head as bytes (HTTP/1.1, the headers the client set, the body's length), with a text body after it. */
function requestBytes(url: URL, method: string, headers: Headers, body: OutgoingBody): Uint8Array {
  let head = `${method} ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\n`;
  for (const [name, value] of headers) {
    if (name === "host" || name === "content-length" || name === "connection" || name === "accept-encoding") continue;
    head += `${name}: ${value.replace(/[\r\n]/g, "")}\r\n`;
  }
  // Bodies come back as they are sent: nothing here decompresses them.
  head += "accept-encoding: identity\r\n";
  if (typeof body === "string") return Buffer.from(`${head}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  if (body !== undefined) head += `content-length: ${body.byteLength}\r\n`;
  return Buffer.from(`${head}\r\n`);
}

/**
 * Writes a chat request's body after its head, a chunk at a time, each once the socket took the
 * one before (the chunks share one buffer), for as long as the exchange lasts. It yields to the
 * event loop between chunks: a socket that takes everything would otherwise have the whole body
 * written in one turn, every other stream waiting (and the memory collector too).
 */
async function writeBody(connection: Connection, state: Exchange, body: ChatRequestBody): Promise<void> {
  const chunks = body.chunks(true);
  for (;;) {
    await connection.tcp.written();
    await new Promise((resolve) => setImmediate(resolve));
    if (connection.exchange !== state) return void chunks.return(undefined);
    const next = chunks.next();
    if (next.done) break;
    connection.tcp.write(next.value);
  }
  state.sent = true;
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

/** What one request is: sent again as it was when a reused connection turned out closed. */
interface Outgoing {
  url: URL;
  head: Uint8Array;
  body: ChatRequestBody | undefined;
  signal: AbortSignal | undefined;
  bodiless: boolean;
  resolve(response: Response): void;
  reject(error: unknown): void;
}

/**
 * One request and its response, on one connection: the reader's handlers, the abort signal's
 * listener (`handleEvent`) and the body's source, in one object with no closure, so a read of the
 * body reaches its listener in a few steps.
 */
class Exchange implements ResponseHandlers, EventListenerObject {
  readonly reader: HttpResponseReader;
  /** Set once the response's head arrived. */
  socketBody: SocketBody | undefined;
  /** Whether any byte of the response arrived: a reused connection closed before one is retried. */
  answered = false;
  /** Whether the whole request went out: a connection whose request was cut is not reused. */
  sent: boolean;

  readonly signal: AbortSignal | undefined;
  /**
   * The request and its promise until the response's head: for a retry, and to settle it. Let go
   * then, so that the Response (which the promise would keep) and the request's bytes live no
   * longer than their readers need them.
   */
  #outgoing: Outgoing | undefined;

  constructor(
    readonly connection: Connection,
    outgoing: Outgoing,
    readonly reused: boolean,
  ) {
    this.#outgoing = outgoing;
    this.signal = outgoing.signal;
    this.sent = outgoing.body === undefined;
    this.reader = new HttpResponseReader(this, outgoing.bodiless);
  }

  head(head: ResponseHead): void {
    const outgoing = this.#outgoing;
    this.#outgoing = undefined;
    this.socketBody = new SocketBody(this);
    outgoing?.resolve(toResponse(head, this.socketBody));
  }

  body(bytes: Uint8Array): void {
    this.socketBody?.push(bytes);
  }

  end(reusable: boolean): void {
    this.signal?.removeEventListener("abort", this);
    this.socketBody?.end();
    this.connection.release(reusable && this.sent);
  }

  /** The request's signal aborted. */
  handleEvent(): void {
    this.fail(abortError(this.signal as AbortSignal));
  }

  /** The body's reader let it go. */
  bodyCancelled(): void {
    this.fail(new DOMException("the body was cancelled", "AbortError"));
  }

  fail(error: unknown): void {
    const { connection, signal } = this;
    if (connection.exchange !== this) return;
    connection.exchange = undefined;
    signal?.removeEventListener("abort", this);
    connection.tcp.destroy();
    const outgoing = this.#outgoing;
    this.#outgoing = undefined;
    if (this.socketBody) this.socketBody.error(error);
    else if (!outgoing) return;
    else if (this.reused && !this.answered && !signal?.aborted) exchange(outgoing);
    else outgoing.reject(signal?.aborted ? abortError(signal) : new TypeError("fetch failed", { cause: error }));
  }
}

/** Sends one request on a connection (an idle one when there is one); once more when a reused one was closed. */
function exchange(outgoing: Outgoing): void {
  const { url, signal } = outgoing;
  const reused = idle.get(url.origin)?.pop();
  const connection = reused ?? new Connection(url.origin, url);
  const state = new Exchange(connection, outgoing, reused !== undefined);
  connection.exchange = state;
  signal?.addEventListener("abort", state, { once: true });
  connection.tcp.write(outgoing.head);
  if (outgoing.body) void writeBody(connection, state, outgoing.body);
}

/** Sends a request with a text body, a chat request's body (request-body.ts), or none, as the `openai` client does. */
export function socketFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const given = init.body ?? undefined;
  const body = typeof given === "string" ? given : requestBodyOf(given);
  if (input instanceof Request || (given !== undefined && body === undefined)) return fetch(input, init);
  const url = new URL(input);
  if (url.protocol !== "http:" && url.protocol !== "https:") return fetch(input, init);
  const signal = signalOf(init);
  if (signal?.aborted) return Promise.reject(abortError(signal));
  const method = (init.method ?? "GET").toUpperCase();
  // The `openai` client hands over a Headers already: read as it is, not copied.
  const headers = init.headers instanceof Headers ? init.headers : new Headers(init.headers);
  const head = requestBytes(url, method, headers, body);
  const chatBody = typeof body === "string" ? undefined : body;
  return new Promise((resolve, reject) =>
    exchange({ url, head, body: chatBody, signal, bodiless: method === "HEAD", resolve, reject }),
  );
}
