/**
 * The only code that writes Server-Sent Events framing: as text for the streams that write text
 * (subscribe.ts), as UTF-8 bytes for the rest.
 * Spec: https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */

export interface SseMessage {
  /** Sets the stream's last event ID; the client sends it back as `Last-Event-ID` on reconnect. */
  id?: string;
  /** Event type; absent means the default `message` event. */
  event?: string;
  /** Payload; may hold any text, line breaks included. */
  data: string;
}

/** A value for `id:` or `event:` that would break the framing. */
export class SseFieldError extends Error {
  override name = "SseFieldError";
}

const encoder = new TextEncoder();

// The spec ends a line at CRLF, a lone CR or a lone LF, so all three must start a new `data:` line.
const LINE_BREAK = /\r\n|\r|\n/;

// A field value containing CR or LF would end the line early and let the rest forge fields;
// NUL in `id` makes the spec's parser ignore the field.
const UNSAFE_FIELD = /[\r\n\0]/;

function checked(name: string, value: string): string {
  if (UNSAFE_FIELD.test(value)) throw new SseFieldError(`SSE ${name} must not contain CR, LF or NUL`);
  return value;
}

function field(name: string, value: string): string {
  return `${name}: ${checked(name, value)}\n`;
}

/**
 * `data` as `data:` lines. One leading space after the colon is stripped by parsers, so
 * "data: " + line keeps a token's own leading space (" the") intact.
 */
function dataLines(data: string): string {
  // Most tokens hold no line break: two native scans instead of a regular expression split.
  if (data.indexOf("\n") === -1 && data.indexOf("\r") === -1) return `data: ${data}\n`;
  let lines = "";
  for (const line of data.split(LINE_BREAK)) lines += `data: ${line}\n`;
  return lines;
}

/** Frames one event as text. */
export function formatEvent(message: SseMessage): string {
  let frame = "";
  if (message.event !== undefined) frame += field("event", message.event);
  if (message.id !== undefined) frame += field("id", message.id);
  return `${frame}${dataLines(message.data)}\n`;
}

/**
 * Frames the events of one kind in a stream whose ids are a fixed prefix and a number: the
 * `event:` and the prefix are checked once, here; each event then costs one concatenation.
 */
export function numberedEventFormat(event: string | undefined, idPrefix: string): (id: number, data: string) => string {
  const head = numberedEventHead(event, idPrefix);
  return (id, data) => numberedEvent(head, id, data);
}

/** The checked start of {@link numberedEventFormat}'s events: for a dialect that keeps it as a field, with no closure. */
export function numberedEventHead(event: string | undefined, idPrefix: string): string {
  return `${event === undefined ? "" : field("event", event)}id: ${checked("id", idPrefix)}`;
}

/** One event of {@link numberedEventHead}'s head: one concatenation. */
export function numberedEvent(head: string, id: number, data: string): string {
  return `${head}${id}\n${dataLines(data)}\n`;
}

/** Frames one event as UTF-8 bytes. */
export function encodeEvent(message: SseMessage): Uint8Array {
  return encoder.encode(formatEvent(message));
}

/** Frames several events as one chunk: one write, one flush, for a replay or a batch of tokens. */
export function encodeEvents(messages: Iterable<SseMessage>): Uint8Array {
  let frame = "";
  for (const message of messages) frame += formatEvent(message);
  return encoder.encode(frame);
}

/** A comment line, as text: ignored by clients, it keeps proxies and idle timers from closing the stream. */
export function formatComment(text: string): string {
  return `: ${checked("comment", text)}\n\n`;
}

/** A comment line as UTF-8 bytes. */
export function encodeComment(text: string): Uint8Array {
  return encoder.encode(formatComment(text));
}

/**
 * What opens every stream, as text: the reconnection delay the client should use after a drop,
 * and a comment, so the response has a first body chunk at once (Bun may hold headers until one exists).
 */
export function formatOpening(retryMs: number, comment: string): string {
  if (!Number.isInteger(retryMs) || retryMs < 0) throw new SseFieldError("SSE retry must be a whole number");
  return `retry: ${retryMs}\n${formatComment(comment)}`;
}

/** The opening as UTF-8 bytes. */
export function encodeOpening(retryMs: number, comment: string): Uint8Array {
  return encoder.encode(formatOpening(retryMs, comment));
}

/** Headers for every event stream: never cached, never buffered by Nginx, never transformed (compressed). */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  "x-accel-buffering": "no",
};
