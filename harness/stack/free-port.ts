/**
 * A port of 127.0.0.1 that nobody listens on right now: bound a moment ago, then released. For a
 * server that must be told its port up front (nginx, Redis, PostgreSQL), and for a port that is
 * known to be closed.
 */
export function freePort(): number {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  return port;
}
