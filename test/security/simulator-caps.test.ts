/**
 * The simulator's prompt directives are capped: a prompt cannot make it (and the app relaying it)
 * produce without bound. Just past the cap is refused; at the cap is accepted.
 */
import { expect, test } from "bun:test";
import { readStream } from "../../harness/client/stream.ts";
import { DIRECTIVE_LIMITS, splitDirective } from "../../src/simulator/directive.ts";
import { ALICE, bearer, call, startTarget } from "./setup.ts";

test("directives past their caps are refused; at the caps they are accepted", () => {
  const { tokens, tokensPerSecond, ttftMs } = DIRECTIVE_LIMITS;
  for (const line of [
    `tokens=${tokens + 1}`,
    `tps=${tokensPerSecond + 1}`,
    `ttft_ms=${ttftMs + 1}`,
    "fault=drop:1000001",
  ])
    expect(() => splitDirective(`/sim ${line}\nhi`)).toThrow();
  expect(splitDirective(`/sim tokens=${tokens} tps=${tokensPerSecond}\nhi`).directive).toEqual({
    tokens,
    tokensPerSecond,
  });
});

test("through the app, a directive past the cap ends in a typed error, not a flood", async () => {
  const app = await startTarget();
  try {
    const started = await call(app, ALICE, "POST", "/api/chat", {
      messages: [{ role: "user", content: "/sim tokens=1000000 tps=1000000\nflood" }],
    });
    expect(started.status).toBe(202);
    const read = await readStream(`${app.url}${started.json.streamUrl}`, { timeoutMs: 10_000, headers: bearer(ALICE) });
    expect(read.events.at(-1)?.event).toBe("error");
    expect(JSON.parse(read.events.at(-1)?.data ?? "{}").code).toBe("upstream_rejected");
    // The client learns the code and a generic message; the simulator's words stay in the log.
    expect(JSON.parse(read.events.at(-1)?.data ?? "{}").message).not.toContain("tokens");
  } finally {
    await app.stop();
  }
});
