/**
 * The store's own instructions, answer figures and images, for every backend: called from the
 * shared suite (store-suite.ts), so SQLite, the worker and PostgreSQL all run it.
 */
import { expect, test } from "bun:test";
import type { NewImage } from "../../src/conversations/images.ts";
import type { ConversationStore } from "../../src/conversations/store.ts";

const OWNER = "alice";

/** A tiny valid PNG header followed by `fill`: only its signature and bytes matter to the store. */
export function pngBytes(size: number, fill = 7): Uint8Array {
  const bytes = new Uint8Array(size).fill(fill);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return bytes;
}

const image = (size: number, fill?: number): NewImage => ({
  id: crypto.randomUUID(),
  media_type: "image/png",
  data: pngBytes(size, fill),
});

export function describeStoreExtras(fresh: () => Promise<ConversationStore>): void {
  test("a conversation's own system prompt: stored, read back, reset to null; never another user's", async () => {
    const store = await fresh();
    const { id } = await store.create(OWNER);
    expect((await store.get(OWNER, id))?.system_prompt).toBeNull();
    expect(await store.setSystemPrompt(OWNER, id, "Answer in French.")).toBe(true);
    expect((await store.get(OWNER, id))?.system_prompt).toBe("Answer in French.");
    expect(await store.setSystemPrompt("bob", id, "Answer in German.")).toBe(false);
    expect(await store.setSystemPrompt(OWNER, "missing", "x")).toBe(false);
    expect((await store.get(OWNER, id))?.system_prompt).toBe("Answer in French.");
    expect(await store.setSystemPrompt(OWNER, id, null)).toBe(true);
    expect((await store.get(OWNER, id))?.system_prompt).toBeNull();
  });

  test("an answer keeps its figures (TTFT, duration, tokens, finish reason); a failed one has none", async () => {
    const store = await fresh();
    const { id } = await store.create(OWNER);
    await store.beginExchange(OWNER, id, { streamId: "s1", userContent: "q", title: "q" });
    const figures = { ttft_ms: 212, total_ms: 1480, completion_tokens: 42, finish_reason: "length" as const };
    await store.finishExchange(OWNER, id, { streamId: "s1", content: "a", status: "complete", figures });
    await store.beginExchange(OWNER, id, { streamId: "s2", userContent: "q2", title: "q2" });
    const error = { code: "upstream_error", message: "no", retryable: true };
    await store.finishExchange(OWNER, id, { streamId: "s2", content: "", status: "error", error });
    const messages = (await store.get(OWNER, id))?.messages ?? [];
    expect(messages[1]?.figures).toEqual(figures);
    expect(messages[0]?.figures).toBeUndefined();
    expect(messages[3]?.figures).toBeUndefined();
    const noTtft = { ...figures, ttft_ms: null, finish_reason: "cancelled" as const };
    await store.beginExchange(OWNER, id, { streamId: "s3", userContent: "q3", title: "q3" });
    await store.finishExchange(OWNER, id, { streamId: "s3", content: "", status: "cancelled", figures: noTtft });
    expect((await store.get(OWNER, id))?.messages.at(-1)?.figures).toEqual(noTtft);
  });

  test("a question's images: listed with the message, served with their bytes, only to the owner", async () => {
    const store = await fresh();
    const { id } = await store.create(OWNER);
    const [first, second] = [image(3_000, 1), image(70_000, 2)];
    await store.beginExchange(OWNER, id, {
      streamId: "s1",
      userContent: "what is this?",
      title: "what",
      images: [first, second],
    });
    const question = (await store.get(OWNER, id))?.messages[0];
    expect(question?.images).toEqual([
      { id: first.id, media_type: "image/png", size: 3_000 },
      { id: second.id, media_type: "image/png", size: 70_000 },
    ]);
    const served = await store.getImage(OWNER, id, second.id);
    expect(served?.media_type).toBe("image/png");
    expect(served?.message_id).toBe(question?.id as string);
    expect(Buffer.from(served?.data ?? []).equals(Buffer.from(second.data))).toBe(true);
    expect(await store.getImage("bob", id, second.id)).toBeUndefined();
    expect(await store.getImage(OWNER, "other", second.id)).toBeUndefined();
    const both = await store.imagesOf(OWNER, id, [question?.id as string]);
    expect(both.map((i) => i.id)).toEqual([first.id, second.id]);
    expect(await store.imagesOf("bob", id, [question?.id as string])).toEqual([]);
  });

  test("images go with their question: a retry keeps them, deleting its branch or the conversation removes them", async () => {
    const store = await fresh();
    const { id } = await store.create(OWNER);
    const kept = image(100);
    await store.beginExchange(OWNER, id, { streamId: "s1", userContent: "look", title: "look", images: [kept] });
    const error = { code: "upstream_error", message: "no", retryable: true };
    await store.finishExchange(OWNER, id, { streamId: "s1", content: "", status: "error", error });
    // Retry: the same text without images replaces the failed answer and keeps the question.
    await store.beginExchange(OWNER, id, { streamId: "s2", userContent: "look", title: "look" });
    await store.finishExchange(OWNER, id, { streamId: "s2", content: "a cat", status: "complete" });
    const messages = (await store.get(OWNER, id))?.messages ?? [];
    expect(messages.map((m) => m.images?.length ?? 0)).toEqual([1, 0]);
    expect(await store.deleteBranch(OWNER, id, messages[0]?.id as string)).toBe(true);
    expect(await store.getImage(OWNER, id, kept.id)).toBeUndefined();
    const again = image(100);
    await store.beginExchange(OWNER, id, { streamId: "s3", userContent: "again", title: "again", images: [again] });
    await store.finishExchange(OWNER, id, { streamId: "s3", content: "", status: "complete" });
    expect(await store.delete(OWNER, id)).toBe(true);
    expect(await store.getImage(OWNER, id, again.id)).toBeUndefined();
  });

  test("image ownership: by owner and by conversation, the same on every engine", async () => {
    const store = await fresh();
    const mine = await store.create(OWNER);
    const other = await store.create(OWNER);
    const bobs = await store.create("bob");
    const kept = image(100);
    await store.beginExchange(OWNER, mine.id, { streamId: "s1", userContent: "q", title: "q", images: [kept] });
    await store.beginExchange("bob", bobs.id, { streamId: "s2", userContent: "q", title: "q", images: [image(50)] });
    const question = (await store.get(OWNER, mine.id))?.messages[0]?.id as string;
    const bobsQuestion = (await store.get("bob", bobs.id))?.messages[0]?.id as string;
    expect((await store.imagesOf(OWNER, mine.id, [question])).map((i) => i.id)).toEqual([kept.id]);
    // A message of another conversation, even the same owner's, or of another user's, holds nothing here.
    expect(await store.imagesOf(OWNER, other.id, [question])).toEqual([]);
    expect(await store.imagesOf(OWNER, bobs.id, [bobsQuestion])).toEqual([]);
    expect(await store.imagesOf(OWNER, mine.id, [bobsQuestion])).toEqual([]);
    expect(await store.getImage(OWNER, other.id, kept.id)).toBeUndefined();
    expect(await store.imagesOf(OWNER, mine.id, [])).toEqual([]);
  });

  test("a failed question asked again with images of its own is a new question, not a retry", async () => {
    const store = await fresh();
    const { id } = await store.create(OWNER);
    const error = { code: "upstream_error", message: "no", retryable: true };
    await store.beginExchange(OWNER, id, { streamId: "s1", userContent: "look", title: "look" });
    await store.finishExchange(OWNER, id, { streamId: "s1", content: "", status: "interrupted", error });
    await store.beginExchange(OWNER, id, { streamId: "s2", userContent: "look", title: "look", images: [image(10)] });
    const messages = (await store.get(OWNER, id))?.messages ?? [];
    expect(messages.map((m) => [m.role, m.status, m.images?.length ?? 0])).toEqual([
      ["user", "complete", 0],
      ["assistant", "interrupted", 0],
      ["user", "complete", 1],
    ]);
  });
}
