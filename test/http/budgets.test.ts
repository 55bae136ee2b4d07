/**
 * Token budgets over real sockets, on the runtime under test: an answer that crosses its user's
 * budget runs to its end, and then every route that calls a model refuses that user with 429
 * `budget_exceeded`, `Retry-After` and `resets_at` (the next UTC midnight), before anything is
 * stored or sent upstream; another user's budget is their own.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type CallOptions, callJson } from "../../harness/client/api.ts";
import { createConversation, readConversation, turnIn } from "../../harness/client/conversations.ts";
import { fetchSimStats } from "../../harness/client/sim-stats.ts";
import { readStream } from "../../harness/client/stream.ts";
import { internalUrl, type Started, startApp } from "../../harness/stack/spawn.ts";

const ALICE = "alice-budget-token-0001";
const BOB = "bob-budget-token-000002";
let app: Started;
beforeAll(async () => {
  app = await startApp({
    AUTH: "token",
    AUTH_TOKENS: `alice:${ALICE},bob:${BOB}`,
    SIM_TTFT_MS: "0",
    SIM_TOKENS_PER_SECOND: "2000",
    LIMIT_USER_TOKENS_PER_DAY: "50",
  });
});
afterAll(() => app?.stop());

const as = (token: string): CallOptions => ({ token });
const call = (token: string, method: string, path: string, body?: unknown) =>
  callJson(app.url, method, path, body, as(token));

test("the answer that crosses the budget finishes; then every route refuses, with the reset time", async () => {
  const id = await createConversation(app.url, as(ALICE));
  await turnIn(app.url, id, { content: "/sim tokens=12\nshort", parentId: null, max_tokens: 5 }, as(ALICE));
  const [question, cut] = (await readConversation(app.url, id, as(ALICE))).messages;
  // Some 13 tokens spent: the next answer is admitted, and runs past the budget to its end.
  const started = await call(ALICE, "POST", "/api/chat", {
    messages: [{ role: "user", content: "/sim tokens=60\nlong" }],
  });
  const crossing = await readStream(`${app.url}${started.json.streamUrl}`, { token: ALICE, timeoutMs: 10_000 });
  const done = JSON.parse(crossing.events.at(-1)?.data ?? "{}");
  expect([done.finish_reason, done.usage.completion_tokens]).toEqual(["stop", 60]);

  const calls = (await fetchSimStats(internalUrl(app))).started;
  const midnight = new Date(Math.floor(Date.now() / 86_400_000 + 1) * 86_400_000).toISOString();
  const refusals = [
    await call(ALICE, "POST", "/api/chat", { messages: [{ role: "user", content: "one-shot" }] }),
    await call(ALICE, "POST", "/api/chat", { conversationId: id, content: "ask", parentId: cut?.id }),
    await call(ALICE, "POST", "/api/chat", { conversationId: id, continue: cut?.id }),
    await call(ALICE, "POST", "/api/chat", { conversationId: id, regenerate: question?.id }),
    await call(ALICE, "GET", "/chat?q=classic"),
    await call(ALICE, "POST", "/v1/chat/completions", { messages: [{ role: "user", content: "whole" }] }),
    await call(ALICE, "POST", "/v1/chat/completions", { stream: true, messages: [{ role: "user", content: "s" }] }),
  ];
  for (const refused of refusals) {
    expect(refused.status).toBe(429);
    expect(refused.json.error).toMatchObject({
      code: "budget_exceeded",
      budget: "day",
      limit: 50,
      resets_at: midnight,
    });
    expect(refused.json.error.used).toBeGreaterThanOrEqual(60);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(Math.abs(retryAfter - (Date.parse(midnight) - Date.now()) / 1000)).toBeLessThan(10);
  }
  // Refused before anything was stored or sent upstream.
  expect((await readConversation(app.url, id, as(ALICE))).messages).toHaveLength(2);
  expect((await fetchSimStats(internalUrl(app))).started).toBe(calls);
  // Bob's budget is his own.
  expect((await call(BOB, "POST", "/api/chat", { messages: [{ role: "user", content: "hi" }] })).status).toBe(202);
  // Alice sees where she stands.
  const usage = (await call(ALICE, "GET", "/api/usage")).json;
  expect(usage.budget.day).toMatchObject({ limit: 50, resets_at: midnight });
  expect(usage.budget.day.used).toBe(usage.total.prompt_tokens + usage.total.completion_tokens);
});
