import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { freePort } from "../../harness/stack/free-port.ts";

test("a free port is taken below the ephemeral range, where no outgoing connection's source port can take it first", () => {
  const [low] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
  const ports = Array.from({ length: 20 }, () => freePort());
  for (const port of ports) {
    expect(port).toBeGreaterThanOrEqual(10_000);
    expect(port).toBeLessThan(low as number);
  }
  // Each can be bound at once.
  for (const port of ports.slice(0, 5)) {
    const listener = Bun.listen({ hostname: "127.0.0.1", port, socket: { data() {} } });
    expect(listener.port).toBe(port);
    listener.stop(true);
  }
});
