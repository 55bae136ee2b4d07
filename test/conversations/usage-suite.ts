/**
 * What a user stores, as every backend must count it for the quotas (quotas.ts): each backend's
 * test file calls {@link describeStoredUsage} with a way to open it (see store-suite.ts).
 */
import { describe, expect, test } from "bun:test";
import { freshStorePerTest } from "./fresh-store.ts";
import type { OpenStore } from "./store-suite.ts";
import { pngBytes } from "./store-suite-extras.ts";

const bytes = (text: string) => new TextEncoder().encode(text).byteLength;

export function describeStoredUsage(backend: string, open: OpenStore): void {
  describe(`ConversationStore.usage on ${backend}`, () => {
    const fresh = freshStorePerTest(open);

    test("counts conversations and the UTF-8 bytes of messages, titles, instructions and images", async () => {
      const store = await fresh();
      expect(await store.usage("alice")).toEqual({ conversations: 0, bytes: 0 });
      const { id } = await store.create("alice", "Café");
      const image = { id: crypto.randomUUID(), media_type: "image/png" as const, data: pngBytes(1_000) };
      await store.beginExchange("alice", id, { streamId: "s1", userContent: "héllo", title: "x", images: [image] });
      await store.finishExchange("alice", id, { streamId: "s1", content: "ok ✓", status: "complete" });
      await store.setSystemPrompt("alice", id, "Be brief.");
      const total = bytes("Café") + bytes("héllo") + 1_000 + bytes("ok ✓") + bytes("Be brief.");
      expect(await store.usage("alice")).toEqual({ conversations: 1, bytes: total });
      await store.create("bob");
      expect(await store.usage("bob")).toEqual({ conversations: 1, bytes: 0 });
    });

    test("what is removed is given back: a retried answer, a deleted branch, a deleted conversation", async () => {
      const store = await fresh();
      const { id } = await store.create("alice", "T");
      await store.beginExchange("alice", id, { streamId: "s1", userContent: "question", title: "T" });
      await store.finishExchange("alice", id, { streamId: "s1", content: "half an ans", status: "error" });
      // Retry: the failed answer is replaced, the question kept.
      await store.beginExchange("alice", id, { streamId: "s2", userContent: "question", title: "T" });
      expect((await store.usage("alice")).bytes).toBe(bytes("T") + bytes("question"));
      await store.finishExchange("alice", id, { streamId: "s2", content: "answer", status: "complete" });
      const [question] = (await store.get("alice", id))?.messages ?? [];
      await store.deleteBranch("alice", id, question?.id ?? "");
      expect(await store.usage("alice")).toEqual({ conversations: 1, bytes: bytes("T") });
      await store.delete("alice", id);
      expect(await store.usage("alice")).toEqual({ conversations: 0, bytes: 0 });
    });
  });
}
