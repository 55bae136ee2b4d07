/**
 * The only place that knows Bun from Deno: serving a fetch handler on a port.
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
