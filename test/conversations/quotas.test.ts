/**
 * Quotas on what one user stores (quotas.ts), over a real SQLite store: a new conversation past
 * QUOTA_USER_CONVERSATIONS is 429, a question (its images included) past QUOTA_USER_BYTES is
 * 413, both `quota_exceeded` with a body naming the quota; nothing is stored for either, and
 * other users are not affected.
 */
import { expect, test } from "bun:test";
import { QuotaExceededError, quotaStore } from "../../src/conversations/quotas.ts";
import { errorResponse } from "../../src/http/error-response.ts";
import { sqliteStorePerTest } from "./sqlite-per-test.ts";
import { pngBytes } from "./store-suite-extras.ts";

const store = sqliteStorePerTest();

test("a conversation past the quota is refused with 429, and the body names the quota", async () => {
  const limited = quotaStore(store(), { conversations: 2, bytes: 0 });
  await limited.create("alice");
  await limited.create("alice");
  const refused = await limited.create("alice").catch((error: unknown) => error);
  expect(refused).toBeInstanceOf(QuotaExceededError);
  const response = errorResponse(refused);
  expect(response.status).toBe(429);
  const { error } = await response.json();
  expect(error).toMatchObject({ code: "quota_exceeded", quota: "conversations", limit: 2, used: 2 });
  expect(error.message).toContain("QUOTA_USER_CONVERSATIONS");
  expect((await store().usage("alice")).conversations).toBe(2);
  // Another user keeps their own quota.
  expect((await limited.create("bob")).id).toBeString();
});

test("parallel requests cannot pass the same check together", async () => {
  const limited = quotaStore(store(), { conversations: 3, bytes: 0 });
  const results = await Promise.allSettled(Array.from({ length: 10 }, () => limited.create("alice")));
  expect(results.filter((result) => result.status === "fulfilled").length).toBe(3);
  expect((await store().usage("alice")).conversations).toBe(3);
});

test("a question whose images would pass the byte quota is refused with 413, and nothing is stored", async () => {
  const limited = quotaStore(store(), { conversations: 0, bytes: 10_000 });
  const { id } = await limited.create("alice", "T");
  const image = () => ({ id: crypto.randomUUID(), media_type: "image/png" as const, data: pngBytes(6_000) });
  const first = { streamId: "s1", userContent: "first", title: "T", images: [image()] };
  expect(await limited.beginExchange("alice", id, first)).toBe(true);
  await limited.finishExchange("alice", id, { streamId: "s1", content: "answer", status: "complete" });
  const second = { streamId: "s2", userContent: "second", title: "T", images: [image()] };
  const refused = await limited.beginExchange("alice", id, second).catch((error: unknown) => error);
  const response = errorResponse(refused);
  expect(response.status).toBe(413);
  expect((await response.json()).error).toMatchObject({
    code: "quota_exceeded",
    quota: "stored_bytes",
    limit: 10_000,
    used: 1 + 5 + 6_000 + 6,
  });
  expect((await store().get("alice", id))?.messages.map((message) => message.content)).toEqual(["first", "answer"]);
  // Text alone still fits.
  expect(await limited.beginExchange("alice", id, { streamId: "s3", userContent: "short", title: "T" })).toBe(true);
});

test("documents count by their text's UTF-8 bytes: one that would pass the quota is refused, nothing stored", async () => {
  const limited = quotaStore(store(), { conversations: 0, bytes: 10_000 });
  const { id } = await limited.create("alice", "T");
  const document = (text: string) => ({
    id: crypto.randomUUID(),
    name: "d.txt",
    media_type: "text/plain" as const,
    size: 10,
    pages: null,
    text,
  });
  // 3,000 characters of two bytes each: 6,000 bytes, whatever the file's size was.
  const first = { streamId: "s1", userContent: "q", title: "T", documents: [document("é".repeat(3_000))] };
  expect(await limited.beginExchange("alice", id, first)).toBe(true);
  await limited.finishExchange("alice", id, { streamId: "s1", content: "a", status: "complete" });
  const second = { streamId: "s2", userContent: "q", title: "T", documents: [document("é".repeat(2_000))] };
  const refused = await limited.beginExchange("alice", id, second).catch((error: unknown) => error);
  expect(errorResponse(refused).status).toBe(413);
  expect((await store().get("alice", id))?.messages).toHaveLength(2);
  // The control: a smaller one fits.
  const third = { streamId: "s3", userContent: "q", title: "T", documents: [document("e".repeat(2_000))] };
  expect(await limited.beginExchange("alice", id, third)).toBe(true);
});

test("the control: a quota of 0 is no quota", async () => {
  const unlimited = quotaStore(store(), { conversations: 0, bytes: 0 });
  for (let i = 0; i < 20; i++) await unlimited.create("alice");
  expect((await store().usage("alice")).conversations).toBe(20);
});
