/**
 * Reads a response body one network read at a time into a callback: from the socket itself when
 * the response came from socket-fetch.ts (no promise per read), else from the body stream (one
 * await per read).
 */
import { type BodyListener, SocketBody } from "./socket-body.ts";

/**
 * Calls `onBytes` with each read of `response`'s body; resolves at its end, rejects when it is
 * cut, when the request is aborted, or with what `onBytes` throws (the body is then let go).
 */
export function readBody(response: Response, onBytes: (bytes: Uint8Array) => void): Promise<void> {
  const socket = SocketBody.take(response);
  if (socket) return readSocketBody(socket, onBytes);
  return readStreamBody(response.body, onBytes);
}

async function readStreamBody(body: ReadableStream<Uint8Array> | null, onBytes: (bytes: Uint8Array) => void) {
  if (!body) return;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      onBytes(value);
    }
  } catch (error) {
    await reader.cancel().catch(() => {});
    throw error;
  }
}

function readSocketBody(body: SocketBody, onBytes: (bytes: Uint8Array) => void): Promise<void> {
  return new Promise((resolve, reject) => body.listen(new SocketBodyRead(body, onBytes, resolve, reject)));
}

/** One read of a socket's body to its end: the body's listener, in one object with no closure. */
class SocketBodyRead implements BodyListener {
  constructor(
    readonly body: SocketBody,
    readonly onBytes: (bytes: Uint8Array) => void,
    readonly end: () => void,
    readonly error: (error: unknown) => void,
  ) {}

  data(bytes: Uint8Array): void {
    try {
      this.onBytes(bytes);
    } catch (error) {
      this.error(error);
      this.body.cancel();
    }
  }
}
