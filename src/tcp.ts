/**
 * Client TCP connections (plain or TLS) read on the JS thread, on Bun or Deno: the transport of
 * the model client (upstream/socket-fetch.ts). Bun calls back with each read from its own event
 * loop; Deno reads with one op per read. Neither wraps the socket in a stream, so a read costs
 * no stream machinery.
 */

export interface TcpEvents {
  /** One read; `bytes` is only valid during the call (its buffer may be reused). */
  data(bytes: Uint8Array): void;
  /** The connection is closed; with `error` when it failed (connecting included). Called once. */
  close(error?: unknown): void;
}

export interface TcpConnection {
  /** Sends `bytes`, after what was written before (queued while connecting, or while the socket is full). */
  write(bytes: Uint8Array): void;
  /**
   * Resolves once everything written so far is handed to the system (or the connection closed):
   * a writer that waits for it holds no more than a chunk at a time, and may then reuse that chunk.
   */
  written(): Promise<void>;
  /** Closes now; what was not sent is dropped, and `close` is called without an error. */
  destroy(): void;
}

export interface TcpOptions {
  hostname: string;
  port: number;
  /** TLS, verified against this name. */
  tls?: { serverName: string };
}

interface DenoConn {
  read(buffer: Uint8Array): Promise<number | null>;
  write(bytes: Uint8Array): Promise<number>;
  close(): void;
}

declare const Deno:
  | {
      connect(options: { hostname: string; port: number }): Promise<DenoConn>;
      connectTls(options: { hostname: string; port: number }): Promise<DenoConn>;
    }
  | undefined;

/** Opens a connection; `events` hears of its reads and its close. */
export function connectTcp(options: TcpOptions, events: TcpEvents): TcpConnection {
  return typeof Deno !== "undefined" ? new DenoConnection(options, events) : new BunConnection(options, events);
}

type BunSocket = import("bun").Socket<BunConnection>;

class BunConnection implements TcpConnection {
  #socket: BunSocket | undefined;
  readonly #unsent: Uint8Array[] = [];
  /** Waiting for the unsent bytes to go. */
  readonly #waiting: (() => void)[] = [];
  #ended = false;

  constructor(
    options: TcpOptions,
    readonly events: TcpEvents,
  ) {
    Bun.connect({
      hostname: options.hostname,
      port: options.port,
      ...(options.tls ? { tls: { serverName: options.tls.serverName } } : {}),
      data: this,
      socket: bunHandlers,
    }).catch((error: unknown) => this.closed(error));
  }

  write(bytes: Uint8Array): void {
    if (this.#ended) return;
    this.#unsent.push(bytes);
    if (this.#socket) this.flush();
  }

  written(): Promise<void> {
    if (this.#unsent.length === 0 || this.#ended) return Promise.resolve();
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  destroy(): void {
    if (this.#ended) return;
    this.#socket?.terminate();
    this.closed();
  }

  opened(socket: BunSocket): void {
    if (this.#ended) return void socket.terminate();
    this.#socket = socket;
    this.flush();
  }

  /** Writes what is queued until the socket takes no more; `drain` calls again. */
  flush(): void {
    const socket = this.#socket;
    while (socket && this.#unsent.length > 0) {
      const bytes = this.#unsent[0] as Uint8Array;
      const written = socket.write(bytes);
      if (written === bytes.length) this.#unsent.shift();
      else {
        if (written > 0) this.#unsent[0] = bytes.subarray(written);
        return;
      }
    }
    if (this.#unsent.length === 0) this.#wake();
  }

  #wake(): void {
    for (const resolve of this.#waiting.splice(0)) resolve();
  }

  closed(error?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#unsent.length = 0;
    this.#wake();
    this.events.close(error);
  }
}

// One handler object for every connection: each socket carries its BunConnection as `data`.
const bunHandlers: import("bun").SocketHandler<BunConnection> = {
  open: (socket) => socket.data.opened(socket),
  data: (socket, bytes) => socket.data.events.data(bytes),
  drain: (socket) => socket.data.flush(),
  close: (socket, error) => socket.data.closed(error),
  error: (socket, error) => socket.data.closed(error),
  connectError: (socket, error) => socket.data.closed(error),
  // A certificate that does not verify: the connection is refused, and says why.
  handshake: (socket, success, authorizationError) => {
    if (success && !authorizationError) return;
    socket.data.closed(authorizationError ?? new Error("the TLS handshake failed"));
    socket.terminate();
  },
};

// Deno reads into a buffer of its own per connection: small, since a model's chunks are small
// and a longer burst takes one more read.
const DENO_READ_BYTES = 4 * 1024;

class DenoConnection implements TcpConnection {
  #conn: DenoConn | undefined;
  #writes: Promise<unknown> = Promise.resolve();
  #ended = false;

  constructor(
    options: TcpOptions,
    private readonly events: TcpEvents,
  ) {
    void this.#run(options);
  }

  write(bytes: Uint8Array): void {
    if (this.#ended) return;
    this.#writes = this.#writes.then(async () => {
      for (let sent = 0; sent < bytes.length && this.#conn && !this.#ended; )
        sent += await this.#conn.write(bytes.subarray(sent));
    });
    this.#writes.catch((error: unknown) => this.#close(error));
  }

  written(): Promise<void> {
    return this.#writes.then(
      () => {},
      () => {},
    );
  }

  destroy(): void {
    if (this.#ended) return;
    try {
      this.#conn?.close();
    } catch {
      // Closed already.
    }
    this.#close();
  }

  async #run(options: TcpOptions): Promise<void> {
    let opened: () => void = () => {};
    this.#writes = new Promise<void>((resolve) => {
      opened = resolve;
    });
    try {
      const target = { hostname: options.hostname, port: options.port };
      this.#conn = await (options.tls
        ? (Deno as NonNullable<typeof Deno>).connectTls(target)
        : (Deno as NonNullable<typeof Deno>).connect(target));
      opened();
      if (this.#ended) return this.#conn.close();
      const buffer = new Uint8Array(DENO_READ_BYTES);
      for (;;) {
        const read = await this.#conn.read(buffer);
        if (read === null || this.#ended) break;
        this.events.data(buffer.subarray(0, read));
      }
      this.destroy();
    } catch (error) {
      opened();
      this.#close(this.#ended ? undefined : error);
    }
  }

  #close(error?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.events.close(error);
  }
}
