/**
 * A port of 127.0.0.1 that nobody listens on right now: bound a moment ago, then released. For a
 * server that must be told its port up front (nginx, Redis, PostgreSQL), and for a port that is
 * known to be closed.
 *
 * It is taken below the kernel's range of ephemeral ports when there is room: the source port of
 * every outgoing connection comes from that range, so a port released there can be handed to any
 * client (a test's, the app's model calls) before the server that was told it binds it, and that
 * server then fails with "Address already in use". Below the range, only an explicit bind can take
 * it. The ports are tried at random, so that test files running side by side rarely try the same one.
 */
import { readFileSync } from "node:fs";

// Below this, ports are the well-known and registered services'.
const LOWEST = 10_000;
const TRIES = 50;

/** The kernel's ephemeral range (Linux), or undefined where it cannot be read. */
function ephemeralRange(): [number, number] | undefined {
  try {
    const [low, high] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    return low && high ? [low, high] : undefined;
  } catch {
    return undefined;
  }
}

const range = ephemeralRange();

/** Binds `port` (0: any) on 127.0.0.1 and releases it; the port bound, or undefined when it was taken. */
function probe(port: number): number | undefined {
  try {
    const listener = Bun.listen({ hostname: "127.0.0.1", port, socket: { data() {} } });
    const bound = listener.port;
    listener.stop(true);
    return bound;
  } catch {
    return undefined;
  }
}

export function freePort(): number {
  const below = range ? range[0] - 1 : 0;
  if (below > LOWEST) {
    for (let attempt = 0; attempt < TRIES; attempt++) {
      const port = probe(LOWEST + Math.floor(Math.random() * (below - LOWEST)));
      if (port !== undefined) return port;
    }
  }
  return probe(0) as number;
}
