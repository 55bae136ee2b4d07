/**
 * Reads a response body one network read at a time into a reader: from the socket itself when
 * the response came from socket-fetch.ts (no promise per read), else from the body stream (one
 * await per read).
 */
import { type BodyListener, SocketBody } from "./socket-body.ts";

/** What reads a body: called with each read, in order. */
export interface BodyReader {
  read(bytes: Uint8Array): void;
}

/**
 * Hands each read of `response`'s body to `target`; resolves at its end, rejects when it is cut,
 * when the request is aborted, or with what the reader throws (the body is then let go).
 */
export function readBody(response: Response, target: BodyReader): Promise<void> {
  const socket = SocketBody.take(response);
  if (socket) return readSocketBody(socket, target);
  return readStreamBody(response.body, target);
}

async function readStreamBody(body: ReadableStream<Uint8Array> | null, target: BodyReader) {
  if (!body) return;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      target.read(value);
    }
  } catch (error) {
    await reader.cancel().catch(() => {});
    throw error;
  }
}

function readSocketBody(body: SocketBody, target: BodyReader): Promise<void> {
  return new Promise((resolve, reject) => body.listen(new SocketBodyRead(body, target, resolve, reject)));
}

/** One read of a socket's body to its end: the body's listener, in one object with no closure. */
class SocketBodyRead implements BodyListener {
  constructor(
    readonly body: SocketBody,
    readonly target: BodyReader,
    readonly end: () => void,
    readonly error: (error: unknown) => void,
  ) {}

  data(bytes: Uint8Array): void {
    try {
      this.target.read(bytes);
    } catch (error) {
      this.error(error);
      this.body.cancel();
    }
  }
}
