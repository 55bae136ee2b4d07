/**
 * Fair limits: one user at their limit does not affect another. Over a limit the answer is 429
 * with Retry-After and the JSON error body, for `/api/chat`, `/chat` and `/v1` alike; under
 * AUTH=none the limit counts per client address.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { metricValue } from "../../harness/client/metrics.ts";
import { internalUrl } from "../../harness/stack/spawn.ts";
import { rawRequest } from "./raw-http.ts";
import { ALICE, BOB, call, startTarget, type TargetApp } from "./setup.ts";

const LONG = { messages: [{ role: "user", content: "/sim tps=5 tokens=200\nslow" }] };

let app: TargetApp;
beforeAll(async () => {
  app = await startTarget({ LIMIT_USER_CONCURRENT: "2", LIMIT_USER_PER_MINUTE: "1000", CANCEL_GRACE_MS: "60000" });
});
afterAll(() => app?.stop());

test("a user at the concurrency limit gets 429; another user is not affected; Stop frees a slot", async () => {
  const first = await call(app, ALICE, "POST", "/api/chat", LONG);
  const second = await call(app, ALICE, "POST", "/api/chat", LONG);
  expect([first.status, second.status]).toEqual([202, 202]);
  const third = await fetch(`${app.url}/api/chat`, {
    method: "POST",
    headers: { authorization: `Bearer ${ALICE}`, "content-type": "application/json" },
    body: JSON.stringify(LONG),
  });
  expect(third.status).toBe(429);
  expect(Number(third.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  expect((await third.json()).error.code).toBe("too_many_requests");
  expect(await metricValue(internalUrl(app), 'sluice_rejected_total{reason="user_concurrent"}')).toBe(1);
  const v1 = await call(app, ALICE, "POST", "/v1/chat/completions", { ...LONG, stream: true });
  expect(v1.status).toBe(429);
  expect((await call(app, BOB, "POST", "/api/chat", LONG)).status).toBe(202);
  await call(app, ALICE, "DELETE", first.json.streamUrl);
  expect((await call(app, ALICE, "POST", "/api/chat", LONG)).status).toBe(202);
});

test("starts per minute are limited, with a Retry-After of the seconds left", async () => {
  const limited = await startTarget({ LIMIT_USER_CONCURRENT: "100", LIMIT_USER_PER_MINUTE: "3" });
  try {
    const quick = { messages: [{ role: "user", content: "/sim tokens=1\nq" }] };
    for (let i = 0; i < 3; i++) expect((await call(limited, ALICE, "POST", "/api/chat", quick)).status).toBe(202);
    const refused = await fetch(`${limited.url}/api/chat`, {
      method: "POST",
      headers: { authorization: `Bearer ${ALICE}`, "content-type": "application/json" },
      body: JSON.stringify(quick),
    });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(30);
    expect((await call(limited, BOB, "POST", "/api/chat", quick)).status).toBe(202);
  } finally {
    await limited.stop();
  }
});

test("under AUTH=none the limit counts per client address", async () => {
  const open = await startTarget({ AUTH: "none", LIMIT_USER_CONCURRENT: "1", LIMIT_USER_PER_MINUTE: "1000" });
  try {
    const body = JSON.stringify(LONG);
    const headers = { "content-type": "application/json", "content-length": String(body.length) };
    const post = (localAddress: string) =>
      rawRequest(open.port, "/api/chat", { method: "POST", headers, body, localAddress });
    expect((await post("127.0.0.1")).status).toBe(202);
    expect((await post("127.0.0.1")).status).toBe(429);
    expect((await post("127.0.0.2")).status).toBe(202);
  } finally {
    await open.stop();
  }
});
