/**
 * The only place that knows Bun from Deno: serving a fetch handler on a port, and the body of a
 * response that is written to as events happen.
 */

/** Handles one request; `clientAddress` is the peer's IP address as the socket saw it. */
export type FetchHandler = (request: Request, clientAddress: string | undefined) => Response | Promise<Response>;

export interface RunningServer {
  /** The port actually bound (useful with port 0). */
  port: number;
  runtime: "bun" | "deno";
  /** Stops accepting connections; with `force`, also closes the open ones. */
  stop(force?: boolean): Promise<void>;
}

declare const Deno:
  | {
      serve(
        options: { port: number; hostname: string; onListen?: () => void },
        handler: (request: Request, info: { remoteAddr: { hostname: string } }) => Response | Promise<Response>,
      ): { addr: { port: number }; shutdown(): Promise<void> };
      addSignalListener(signal: "SIGINT" | "SIGTERM", handler: () => void): void;
    }
  | undefined;

export const runtimeName: "bun" | "deno" = typeof Deno !== "undefined" ? "deno" : "bun";

/** Serves `fetch` on `hostname:port` with the runtime at hand. */
export function serve(fetch: FetchHandler, options: { port: number; hostname: string }): RunningServer {
  if (typeof Deno !== "undefined") {
    const server = Deno.serve({ ...options, onListen: () => {} }, (request, info) =>
      fetch(request, info.remoteAddr.hostname),
    );
    return { port: server.addr.port, runtime: "deno", stop: () => server.shutdown() };
  }
  const server = Bun.serve({
    ...options,
    fetch: (request, bun) => fetch(request, bun.requestIP(request)?.address),
    // Bun closes a connection idle for 10 s by default, which would cut an SSE stream while a
    // model thinks; heartbeats are the keep-alive here, so the runtime's own timer is off.
    idleTimeout: 0,
  });
  return { port: server.port ?? options.port, runtime: "bun", stop: (force) => server.stop(force) };
}

/** Where a pushed response body is written: text, encoded as UTF-8. */
export interface BodyWriter {
  /**
   * Writes `text` now. False when the client is behind: it was taken, but nothing more should be
   * written until the source's `resume` is called.
   */
  write(text: string): boolean;
  /** Ends the body. */
  close(): void;
}

/** What writes a pushed body: it is told when to start, when a slow client caught up, and when it left. */
export interface BodySource {
  start(writer: BodyWriter): void;
  resume(): void;
  cancel(): void;
}

/**
 * A response body written by `source` as events happen, with no queue of its own. On Bun, a
 * direct stream: text goes straight into the socket's buffer (encoded there), and whatever is
 * written in one turn of the event loop leaves in one send. Elsewhere, a standard stream that
 * holds one chunk at most, so a slow client's backlog stays with the source.
 */
export function pushedBody(source: BodySource): ReadableStream<Uint8Array> {
  return runtimeName === "bun" ? directBody(source) : queuedBody(source);
}

/** Bun's direct stream: pull() runs once and the body stays open until close(). */
interface DirectController {
  write(text: string): number | Promise<number>;
  close(): void;
}

/**
 * A direct stream's source and its writer in one object, with no closure of its own: Bun calls
 * `pull` once, and the body stays open until `close`.
 */
class DirectBody implements BodyWriter {
  readonly type = "direct";
  #controller: DirectController | undefined;
  #pulled: (() => void) | undefined;

  constructor(readonly source: BodySource) {}

  pull(controller: DirectController): Promise<void> {
    this.#controller = controller;
    return new Promise<void>((resolve) => {
      this.#pulled = resolve;
      this.source.start(this);
    });
  }

  cancel(): void {
    this.source.cancel();
  }

  write(text: string): boolean {
    const written = (this.#controller as DirectController).write(text);
    if (typeof written === "number") return true;
    // The socket's buffer is full: the text is kept, and the promise settles once it drained.
    written.then(() => this.source.resume(), ignore);
    return false;
  }

  close(): void {
    this.#controller?.close();
    this.#pulled?.();
  }
}

function ignore(): void {}

function directBody(source: BodySource): ReadableStream<Uint8Array> {
  return new ReadableStream(new DirectBody(source) as unknown as UnderlyingDefaultSource<Uint8Array>);
}

function queuedBody(source: BodySource): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        source.start({
          write(text) {
            controller.enqueue(encoder.encode(text));
            return (controller.desiredSize ?? 0) > 0;
          },
          close: () => controller.close(),
        });
      },
      pull: () => source.resume(),
      cancel: () => source.cancel(),
    },
    { highWaterMark: 1 },
  );
}

/**
 * Calls `callback` on the first SIGINT or SIGTERM, and `again` on the second (a second Ctrl-C:
 * exit now). Deno delivers signals only through `Deno.addSignalListener`; Bun through `process.on`.
 */
export function onShutdownSignal(
  callback: (signal: "SIGINT" | "SIGTERM") => void,
  again: (signal: "SIGINT" | "SIGTERM") => void = () => {},
): void {
  let calls = 0;
  const once = (signal: "SIGINT" | "SIGTERM") => () => {
    calls++;
    if (calls === 1) callback(signal);
    else if (calls === 2) again(signal);
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    if (typeof Deno !== "undefined") Deno.addSignalListener(signal, once(signal));
    else process.on(signal, once(signal));
  }
}
