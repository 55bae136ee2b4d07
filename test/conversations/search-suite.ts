/**
 * Search, as every ConversationStore backend must do it; each backend's test file calls
 * {@link describeConversationSearch} with a way to open it (see store-suite.ts).
 */
import { describe, expect, test } from "bun:test";
import type { ConversationStore } from "../../src/conversations/store.ts";
import { freshStorePerTest } from "./fresh-store.ts";
import type { OpenStore } from "./store-suite.ts";

/** Stores one exchange (question and complete answer) in a new conversation of `owner`. */
async function conversationWith(store: ConversationStore, owner: string, question: string, answer: string) {
  const { id } = await store.create(owner);
  await store.beginExchange(owner, id, { streamId: `s-${id}`, userContent: question, title: question.slice(0, 40) });
  await store.finishExchange(owner, id, { streamId: `s-${id}`, content: answer, status: "complete" });
  return id;
}

export function describeConversationSearch(backend: string, open: OpenStore): void {
  describe(`ConversationStore.search on ${backend}`, () => {
    const fresh = freshStorePerTest(open);

    test("finds message text anywhere in a conversation, with a snippet around the match", async () => {
      const store = await fresh();
      const sourdough = await conversationWith(store, "alice", "How do I feed a starter?", "Flour and water, daily.");
      await conversationWith(store, "alice", "Best hiking boots?", "Ones that fit.");
      const hits = await store.search("alice", "water", 10);
      expect(hits.map((hit) => hit.id)).toEqual([sourdough]);
      expect(hits[0]?.snippet).toContain("Flour and water");
      expect(Object.keys(hits[0] ?? {}).sort()).toEqual([
        "created_at",
        "id",
        "message_id",
        "snippet",
        "title",
        "updated_at",
      ]);
    });

    test("finds text on a branch not shown, and names the message that holds it; a title match names none", async () => {
      const store = await fresh();
      const id = await conversationWith(store, "alice", "Name a bird", "A heron.");
      const [question, heron] = (await store.get("alice", id))?.messages ?? [];
      await store.beginExchange("alice", id, { streamId: "again", title: "", answers: question?.id as string });
      await store.finishExchange("alice", id, { streamId: "again", content: "A kestrel.", status: "complete" });
      expect((await store.get("alice", id))?.messages.at(-1)?.content).toBe("A kestrel.");
      const hits = await store.search("alice", "heron", 10);
      expect(hits).toMatchObject([{ id, message_id: heron?.id }]);
      const { id: titled } = await store.create("alice", "Birdwatching");
      expect(await store.search("alice", "birdwatching", 10)).toMatchObject([{ id: titled, message_id: null }]);
    });

    test("every word must match; the last may be the start of a word; accents and case are ignored", async () => {
      const store = await fresh();
      const id = await conversationWith(store, "alice", "Café opening hours", "Most open at eight.");
      expect((await store.search("alice", "cafe OPEN", 10)).map((hit) => hit.id)).toEqual([id]);
      expect((await store.search("alice", "eigh", 10)).map((hit) => hit.id)).toEqual([id]);
      expect(await store.search("alice", "cafe closing", 10)).toEqual([]);
    });

    test("a title match counts, and its snippet is the title when no message matches", async () => {
      const store = await fresh();
      const { id } = await store.create("alice", "Garden planning");
      const hits = await store.search("alice", "garden", 10);
      expect(hits).toMatchObject([{ id, title: "Garden planning", snippet: "Garden planning" }]);
      await store.rename("alice", id, "Balcony planning");
      expect(await store.search("alice", "garden", 10)).toEqual([]);
      expect((await store.search("alice", "balcony", 10)).map((hit) => hit.id)).toEqual([id]);
    });

    test("only the owner's conversations are searched", async () => {
      const store = await fresh();
      const mine = await conversationWith(store, "alice", "secret recipe", "tomatoes");
      await conversationWith(store, "bob", "secret recipe", "tomatoes");
      expect((await store.search("alice", "tomatoes", 10)).map((hit) => hit.id)).toEqual([mine]);
      expect((await store.search("carol", "tomatoes", 10)).length).toBe(0);
    });

    test("a deleted conversation is no longer found, its messages included", async () => {
      const store = await fresh();
      const id = await conversationWith(store, "alice", "temporary note", "ephemeral words");
      await store.delete("alice", id);
      expect(await store.search("alice", "ephemeral", 10)).toEqual([]);
      expect(await store.search("alice", "temporary", 10)).toEqual([]);
    });

    test("query syntax typed by a user is plain text, and a query without words finds nothing", async () => {
      const store = await fresh();
      const id = await conversationWith(store, "alice", 'She said "NEAR" and OR AND', "x*y (z)");
      expect((await store.search("alice", '"near" OR', 10)).map((hit) => hit.id)).toEqual([id]);
      expect((await store.search("alice", "x* -y ^z", 10)).map((hit) => hit.id)).toEqual([id]);
      expect(await store.search("alice", ' " * ( ) ', 10)).toEqual([]);
    });

    test("most recently updated first, at most `limit`", async () => {
      const store = await fresh();
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) {
        ids.push(await conversationWith(store, "alice", `topic ${i}`, "shared word"));
        await Bun.sleep(2);
      }
      const hits = await store.search("alice", "shared", 3);
      expect(hits.map((hit) => hit.id)).toEqual(ids.reverse().slice(0, 3));
    });
  });
}
