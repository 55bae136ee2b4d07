/**
 * Not an open relay: `/v1/chat/completions` and `/api/chat` call only the listed models, with at
 * most MAX_OUTPUT_TOKENS and one choice, and pass only known fields to the model. The fake model
 * records what actually left Sluice.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startFakeModel } from "../../harness/fake-model.ts";
import { ALICE, call, startTarget, type TargetApp } from "./setup.ts";

const upstream = startFakeModel({ models: ["m1"], tokens: ["ok"] });
const received = upstream.received;

let app: TargetApp;
beforeAll(async () => {
  app = await startTarget({
    UPSTREAM_BASE_URL: upstream.baseUrl,
    MODEL: "m1",
    MODELS: "m1,m2",
    MAX_OUTPUT_TOKENS: "500",
  });
});
afterAll(async () => {
  await app?.stop();
  upstream.stop();
});

const completion = (body: Record<string, unknown>) =>
  call(app, ALICE, "POST", "/v1/chat/completions", { messages: [{ role: "user", content: "hi" }], ...body });

test("a model outside MODELS, a huge n or max_tokens: 400 naming the field, nothing sent upstream", async () => {
  const sentBefore = received.length;
  for (const [body, field] of [
    [{ model: "gpt-4-expensive" }, "model"],
    [{ n: 50 }, "n"],
    [{ max_tokens: 1_000_000 }, "max_tokens"],
    [{ max_completion_tokens: 501 }, "max_completion_tokens"],
    [{ max_tokens: 1.5 }, "max_tokens"],
  ] as const) {
    const response = await completion(body);
    expect([field, response.status, response.json.error.field]).toEqual([field, 400, field]);
  }
  for (const body of [{ model: "gpt-4-expensive" }, { max_tokens: 100_000 }]) {
    const chat = await call(app, ALICE, "POST", "/api/chat", { messages: [{ role: "user", content: "hi" }], ...body });
    expect(chat.status).toBe(400);
  }
  expect(received.length).toBe(sentBefore);
});

test("allowed requests go through with unknown fields dropped and the token cap applied", async () => {
  const response = await completion({ model: "m2", frobnicate: true, metadata: { x: 1 }, temperature: 0.5 });
  expect(response.status).toBe(200);
  const sent = received.at(-1) ?? {};
  expect(sent).toMatchObject({ model: "m2", temperature: 0.5, max_tokens: 500 });
  expect(Object.keys(sent)).not.toContain("frobnicate");
  expect(Object.keys(sent)).not.toContain("metadata");
  const models = await call(app, ALICE, "GET", "/v1/models");
  expect(models.json.data.map((model: { id: string }) => model.id)).toEqual(["m1", "m2"]);
});
