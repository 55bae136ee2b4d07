/**
 * Every integer, enum and id of a query, a path or a body: a bad one is a 400 naming the field,
 * never a 500, on the real app process.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createConversation } from "../../harness/client/conversations.ts";
import { type Started, startApp } from "../../harness/stack/spawn.ts";

let sluice: Started;
let conversation = "";
beforeAll(async () => {
  sluice = await startApp({ SIM_TTFT_MS: "0" });
  conversation = await createConversation(sluice.url);
});
afterAll(() => sluice?.stop());

async function expectField(response: Response, field: string, code = "invalid_request") {
  expect(response.status).toBe(400);
  expect((await response.json()).error).toMatchObject({ code, field });
}

describe("query values", () => {
  const limits = ["5.5", "-1", "0", "101", "99999999999999999999", "", "%D9%A5", "1e1", "0x10", "%205", "abc"];
  for (const limit of limits) {
    test(`?limit=${limit} → 400 naming limit`, async () => {
      await expectField(await fetch(`${sluice.url}/api/conversations?limit=${limit}`), "limit");
    });
  }

  test("?limit=7 is fine (negative control)", async () => {
    expect((await fetch(`${sluice.url}/api/conversations?limit=7`)).status).toBe(200);
  });

  test("a repeated parameter → 400 naming it", async () => {
    await expectField(await fetch(`${sluice.url}/api/conversations?limit=1&limit=2`), "limit");
    await expectField(await fetch(`${sluice.url}/chat?q=a&q=b`), "q");
  });
});

describe("ids in paths and bodies", () => {
  // An encoded slash is refused before routing, as every unsafe spelling of a path is.
  test("/api/conversations/a%2Fb and /api/streams/a%2Fb → 400 naming the path", async () => {
    await expectField(await fetch(`${sluice.url}/api/conversations/a%2Fb`), "path", "invalid_path");
    await expectField(await fetch(`${sluice.url}/api/streams/a%2Fb`), "path", "invalid_path");
  });
  for (const id of ["%E2%80%8B", "x'y", "a".repeat(65)]) {
    test(`/api/conversations/${id.slice(0, 12)} and /api/streams/… → 400 naming id`, async () => {
      await expectField(await fetch(`${sluice.url}/api/conversations/${id}`), "id");
      await expectField(await fetch(`${sluice.url}/api/streams/${id}`), "id");
    });
  }
});

describe("body values", () => {
  const cases: [string, Record<string, unknown>][] = [
    ["max_tokens", { max_tokens: 5.5 }],
    ["max_tokens", { max_tokens: -1 }],
    ["max_tokens", { max_tokens: 1e300 }],
    ["temperature", { temperature: -0.5 }],
    ["conversationId", { conversationId: "" }],
    ["conversationId", { conversationId: "a/b" }],
    ["messages[0].role", { messages: [{ role: "robot", content: "hi" }] }],
    ["messages[0].content", { messages: [{ role: "user", content: "" }] }],
  ];
  for (const [field, body] of cases) {
    test(`${JSON.stringify(body).slice(0, 50)} → 400 naming ${field}`, async () => {
      const response = await fetch(`${sluice.url}/api/chat`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ messages: [{ role: "user", content: "hi" }], ...body }),
      });
      await expectField(response, field);
    });
  }

  test("a valid conversationId is accepted (negative control)", async () => {
    const response = await fetch(`${sluice.url}/api/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        conversationId: conversation,
        messages: [{ role: "user", content: "/sim tokens=2\nhi" }],
      }),
    });
    expect(response.status).toBe(202);
  });
});
