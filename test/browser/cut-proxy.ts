/**
 * A TCP relay between the browser and nginx that can cut the network: every open connection is
 * destroyed and new ones are refused until it is restored. Chromium's offline emulation
 * (context.setOffline) does not do this: measured, an EventSource already open kept receiving
 * tokens while "offline", so it proves nothing about resuming.
 */
import { connect, createServer, type Server, type Socket } from "node:net";

export interface CutProxy {
  /** http://127.0.0.1:<port>: what the browser opens. */
  url: string;
  /** How many connections the relay has accepted and passed on. */
  readonly connections: number;
  /** Destroys every open connection, and every new one, until {@link restore}. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/** Relays 127.0.0.1:<free port> to `target` (an http:// URL). */
export async function startCutProxy(target: string): Promise<CutProxy> {
  const { hostname, port } = new URL(target);
  const open = new Set<Socket>();
  let down = false;
  let connections = 0;
  const server: Server = createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    connections++;
    const upstream = connect(Number(port), hostname);
    const pair = [client, upstream];
    const end = () => {
      for (const socket of pair) {
        socket.destroy();
        open.delete(socket);
      }
    };
    for (const socket of pair) {
      open.add(socket);
      socket.on("error", end);
      socket.on("close", end);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("cut proxy: no port");
  const cut = () => {
    down = true;
    for (const socket of open) socket.destroy();
    open.clear();
  };
  return {
    url: `http://127.0.0.1:${address.port}`,
    get connections() {
      return connections;
    },
    cut,
    restore() {
      down = false;
    },
    close() {
      cut();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
