/**
 * A response body as a socket delivers it (socket-fetch.ts): read either by one listener, called
 * with each read as it arrives (response-body.ts), or as the Response's standard body stream.
 */

export interface BodyListener {
  data(bytes: Uint8Array): void;
  end(): void;
  error(error: unknown): void;
}

/** Bodies not read yet, by the Response that stands for them. */
const unread = new WeakMap<Response, SocketBody>();

export class SocketBody {
  #listener: BodyListener | undefined;
  /** What arrived before anyone listened (copies: a read's buffer is the socket's). */
  #early: Uint8Array[] = [];
  #ended = false;
  #failure: { error: unknown } | undefined;

  /** `source.bodyCancelled` stops the read (the connection is closed). */
  constructor(private readonly source: { bodyCancelled(): void }) {}

  /** Makes `body` the one behind `response`, for {@link SocketBody.take}. */
  static register(response: Response, body: SocketBody): void {
    unread.set(response, body);
  }

  /** The body behind `response` if nobody read it yet; from then on only the caller reads it. */
  static take(response: Response): SocketBody | undefined {
    const body = unread.get(response);
    unread.delete(response);
    return body;
  }

  push(bytes: Uint8Array): void {
    if (this.#listener) this.#listener.data(bytes);
    else this.#early.push(bytes.slice());
  }

  end(): void {
    if (this.#ended || this.#failure) return;
    this.#ended = true;
    this.#listener?.end();
  }

  error(error: unknown): void {
    if (this.#ended || this.#failure) return;
    this.#failure = { error };
    this.#listener?.error(error);
  }

  /** Hands every read to `listener`, those that came before included. */
  listen(listener: BodyListener): void {
    this.#listener = listener;
    for (const bytes of this.#early.splice(0)) listener.data(bytes);
    if (this.#failure) listener.error(this.#failure.error);
    else if (this.#ended) listener.end();
  }

  cancel(): void {
    this.source.bodyCancelled();
  }

  /** The body as a standard stream, for a Response; it starts listening at its first read. */
  stream(): ReadableStream<Uint8Array> {
    let listening = false;
    return new ReadableStream<Uint8Array>(
      {
        pull: (controller) => {
          if (listening) return;
          listening = true;
          this.listen({
            data: (bytes) => controller.enqueue(bytes.slice()),
            end: () => controller.close(),
            error: (error) => controller.error(error),
          });
        },
        cancel: () => this.cancel(),
      },
      // No pull before a read: the body stays untouched for a reader that takes it.
      { highWaterMark: 0 },
    );
  }
}
