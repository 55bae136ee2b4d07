/**
 * A body sent a byte at a time holds its connection, and its share of memory, only until
 * BODY_TIMEOUT_MS: then 408 `body_timeout` on Bun and on Deno, and on Bun the connection ends. (Slow
 * headers: Bun closes them after 10 s itself; Deno has no header deadline (denoland/deno#3515),
 * so the shipped nginx closes them, test/e2e/edge-nginx.test.ts.)
 */
import { expect, test } from "bun:test";
import { connect } from "node:net";
import { runtime } from "../../harness/stack/spawn.ts";
import { startTarget, type TargetApp } from "./setup.ts";

interface Trickle {
  /** The status line, when an answer came. */
  answer: string | undefined;
  /** Milliseconds from the first byte to the answer, and to the connection's end. */
  answeredAfterMs: number | undefined;
  closedAfterMs: number | undefined;
}

/** Sends `POST path` declaring 1,000 bytes and then one byte every 200 ms, for `forMs`. */
function trickle(app: TargetApp, path: string, forMs: number): Promise<Trickle> {
  return new Promise((resolve) => {
    const started = performance.now();
    const result: Trickle = { answer: undefined, answeredAfterMs: undefined, closedAfterMs: undefined };
    const socket = connect({ port: app.port, host: "127.0.0.1" }, () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`,
      );
    });
    const timer = setInterval(() => {
      if (!socket.destroyed) socket.write(" ");
    }, 200);
    socket.on("data", (chunk: Buffer) => {
      result.answer ??= chunk.toString("latin1").split("\r\n")[0];
      result.answeredAfterMs ??= performance.now() - started;
    });
    const finish = () => {
      clearInterval(timer);
      resolve(result);
    };
    socket.on("close", () => {
      result.closedAfterMs = performance.now() - started;
      finish();
    });
    socket.on("error", () => {});
    setTimeout(() => {
      socket.destroy();
      finish();
    }, forMs);
  });
}

test("a slow sign-in body gets 408 after BODY_TIMEOUT_MS, and its connection ends", async () => {
  const app = await startTarget({ BODY_TIMEOUT_MS: "1000" });
  try {
    const slow = await trickle(app, "/api/session", 6_000);
    expect(slow.answer).toBe("HTTP/1.1 408 Request Timeout");
    expect(slow.answeredAfterMs).toBeGreaterThanOrEqual(900);
    expect(slow.answeredAfterMs).toBeLessThan(3_000);
    // Deno answers, but its HTTP server keeps reading the rest of a refused body for as long as the
    // client sends it (nothing of it reaches the app, and nginx in front never passes a slow body on).
    if (runtime === "bun") expect(slow.closedAfterMs).toBeLessThan(5_000);
  } finally {
    await app.stop();
  }
});

test("negative control: with the deadline off, the same body holds the connection for as long as it trickles", async () => {
  const app = await startTarget({ BODY_TIMEOUT_MS: "1000" }, { defencesOff: ["bodyDeadline"] });
  try {
    const slow = await trickle(app, "/api/session", 4_000);
    expect(slow.answer).toBeUndefined();
    expect(slow.closedAfterMs).toBeUndefined();
  } finally {
    await app.stop();
  }
});
