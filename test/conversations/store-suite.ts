/**
 * The behaviour every ConversationStore backend must have, as one suite; each backend's test
 * file calls {@link describeConversationStore} with a way to open it.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { freshDataDir } from "../../harness/stack/spawn.ts";
import type { ConversationStore } from "../../src/conversations/store.ts";
import { describeStoreDocuments } from "./store-suite-documents.ts";
import { describeStoreExtras } from "./store-suite-extras.ts";
import { describeStoreTree, expectMigratedTrees } from "./store-suite-tree.ts";

/** Opens the backend's store at `place` (a fresh directory per test); opening it again reopens the same data. */
export type OpenStore = (place: string) => Promise<ConversationStore>;

/** Builds, at `place`, the backend's database as the release before trees left it (previous-schema.ts). */
export type SeedPrevious = (place: string) => void | Promise<void>;

const OWNER = "alice";
const complete = (streamId: string, content: string) => ({ streamId, content, status: "complete" as const });

export function describeConversationStore(backend: string, open: OpenStore, seedPrevious?: SeedPrevious): void {
  describe(`ConversationStore on ${backend}`, () => {
    const opened: ConversationStore[] = [];
    const places: string[] = [];
    let place = "";
    const openStore = async () => {
      const store = await open(place);
      opened.push(store);
      return store;
    };
    const fresh = async () => {
      place = freshDataDir();
      places.push(place);
      return openStore();
    };
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
      for (const dir of places.splice(0)) rmSync(dir, { recursive: true, force: true });
    });

    test("a new conversation has no title, no messages and nothing running", async () => {
      const store = await fresh();
      const created = await store.create(OWNER);
      expect(created.title).toBeNull();
      expect(Date.parse(created.created_at)).toBeGreaterThan(0);
      expect(await store.get(OWNER, created.id)).toEqual({
        ...created,
        messages: [],
        running_stream_id: null,
        running_parent_id: null,
        running_continues_id: null,
        system_prompt: null,
        model: null,
        current_leaf_id: null,
        tools: null,
        leaf_id: null,
        path_length: 0,
        next_cursor: null,
      });
      expect(await store.exists(OWNER, created.id)).toBe(true);
      expect(await store.exists(OWNER, "missing")).toBe(false);
      expect(await store.get(OWNER, "missing")).toBeUndefined();
    });

    test("a conversation belongs to its owner: to anyone else it does not exist", async () => {
      const store = await fresh();
      const mine = await store.create(OWNER, "mine");
      await store.create("bob", "bob's");
      expect((await store.list("bob", { limit: 10 })).conversations.map((c) => c.title)).toEqual(["bob's"]);
      expect((await store.list(OWNER, { limit: 10 })).conversations.map((c) => c.title)).toEqual(["mine"]);
      expect(await store.get("bob", mine.id)).toBeUndefined();
      expect(await store.exists("bob", mine.id)).toBe(false);
      expect(await store.rename("bob", mine.id, "taken")).toBeUndefined();
      expect(await store.delete("bob", mine.id)).toBe(false);
      const start = { streamId: "s1", userContent: "hi", title: "hi" };
      expect(await store.beginExchange("bob", mine.id, start)).toBe(false);
      expect(await store.finishExchange("bob", mine.id, complete("s1", "x"))).toBe(false);
      expect(await store.get(OWNER, mine.id)).toMatchObject({ title: "mine", messages: [] });
    });

    test("lists most recently updated first, page by page, each conversation once", async () => {
      const store = await fresh();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await store.create(OWNER, `c${i}`)).id);
      const oldest = ids[0] as string;
      await Bun.sleep(5); // a later updated_at than every create, whatever the clock's resolution
      await store.rename(OWNER, oldest, "renamed");
      const seen: string[] = [];
      let before: string | undefined;
      for (let page = 0; page < 10; page++) {
        const result = await store.list(OWNER, { limit: 2, before });
        seen.push(...result.conversations.map((c) => c.id));
        if (!result.next_cursor) break;
        before = result.next_cursor;
      }
      expect(seen).toHaveLength(5);
      expect(new Set(seen).size).toBe(5);
      expect(seen[0]).toBe(oldest);
    });

    test("rejects a cursor it did not make", async () => {
      const store = await fresh();
      // A store behind a worker rebuilds the error from its contract fields, not its class.
      const refused = await store.list(OWNER, { limit: 2, before: "not-a-cursor" }).catch((error: unknown) => error);
      expect(refused).toMatchObject({ code: "invalid_request", status: 400, field: "before" });
    });

    test("renames and deletes, and reports a missing conversation", async () => {
      const store = await fresh();
      const { id } = await store.create(OWNER);
      expect((await store.rename(OWNER, id, "Trip plans"))?.title).toBe("Trip plans");
      expect(await store.rename(OWNER, "missing", "x")).toBeUndefined();
      await store.beginExchange(OWNER, id, { streamId: "s1", userContent: "hi", title: "hi" });
      expect(await store.delete(OWNER, id)).toBe(true);
      expect(await store.delete(OWNER, id)).toBe(false);
      expect(await store.get(OWNER, id)).toBeUndefined();
      expect((await store.list(OWNER, { limit: 10 })).conversations).toEqual([]);
    });

    test("an exchange stores the question at once and the answer at the end", async () => {
      const store = await fresh();
      const { id } = await store.create(OWNER);
      expect(await store.beginExchange(OWNER, id, { streamId: "s1", userContent: "Hello?", title: "Hello?" })).toBe(
        true,
      );
      const running = await store.get(OWNER, id);
      expect(running?.running_stream_id).toBe("s1");
      expect(running?.title).toBe("Hello?");
      expect(running?.messages.map((m) => [m.role, m.content, m.status])).toEqual([["user", "Hello?", "complete"]]);
      expect(await store.finishExchange(OWNER, id, complete("s1", "Hi there."))).toBe(true);
      const done = await store.get(OWNER, id);
      expect(done?.running_stream_id).toBeNull();
      expect(done?.messages.map((m) => [m.role, m.content, m.status])).toEqual([
        ["user", "Hello?", "complete"],
        ["assistant", "Hi there.", "complete"],
      ]);
      expect(done?.messages[1]?.error).toBeUndefined();
    });

    test("keeps the first title, and a title the user gave", async () => {
      const store = await fresh();
      const { id } = await store.create(OWNER);
      await store.beginExchange(OWNER, id, { streamId: "s1", userContent: "first", title: "first" });
      await store.finishExchange(OWNER, id, complete("s1", "one"));
      await store.beginExchange(OWNER, id, { streamId: "s2", userContent: "second", title: "second" });
      expect((await store.get(OWNER, id))?.title).toBe("first");
      const named = await store.create(OWNER, "Named");
      await store.beginExchange(OWNER, named.id, { streamId: "s3", userContent: "q", title: "q" });
      expect((await store.get(OWNER, named.id))?.title).toBe("Named");
    });

    test("stores cancelled and failed answers with their error", async () => {
      const store = await fresh();
      const { id } = await store.create(OWNER);
      await store.beginExchange(OWNER, id, { streamId: "s1", userContent: "a", title: "a" });
      await store.finishExchange(OWNER, id, { streamId: "s1", content: "par", status: "cancelled" });
      await store.beginExchange(OWNER, id, { streamId: "s2", userContent: "b", title: "b" });
      const error = { code: "upstream_unavailable", message: "the model is down", retryable: true };
      await store.finishExchange(OWNER, id, { streamId: "s2", content: "", status: "error", error });
      const messages = (await store.get(OWNER, id))?.messages ?? [];
      expect(messages.map((m) => m.status)).toEqual(["complete", "cancelled", "complete", "error"]);
      expect(messages[1]?.content).toBe("par");
      expect(messages[3]?.error).toEqual(error);
    });

    test("sending the same question after a failed answer replaces that answer (Retry)", async () => {
      const store = await fresh();
      const { id } = await store.create(OWNER);
      const error = { code: "upstream_timeout", message: "no first token", retryable: true };
      await store.beginExchange(OWNER, id, { streamId: "s1", userContent: "q", title: "q" });
      await store.finishExchange(OWNER, id, { streamId: "s1", content: "", status: "error", error });
      await store.beginExchange(OWNER, id, { streamId: "s2", userContent: "q", title: "q" });
      await store.finishExchange(OWNER, id, complete("s2", "answer"));
      const messages = (await store.get(OWNER, id))?.messages ?? [];
      expect(messages.map((m) => [m.role, m.content, m.status])).toEqual([
        ["user", "q", "complete"],
        ["assistant", "answer", "complete"],
      ]);
    });

    test("a second exchange while one runs is refused (409 conversation_busy), and stores nothing", async () => {
      const store = await fresh();
      const { id } = await store.create(OWNER);
      await store.beginExchange(OWNER, id, { streamId: "s1", userContent: "a", title: "a" });
      const second = store.beginExchange(OWNER, id, { streamId: "s2", userContent: "b", title: "b" });
      expect(await second.catch((error: unknown) => error)).toMatchObject({ code: "conversation_busy", status: 409 });
      expect((await store.get(OWNER, id))?.running_stream_id).toBe("s1");
      await store.finishExchange(OWNER, id, complete("s1", "mine"));
      const messages = (await store.get(OWNER, id))?.messages ?? [];
      expect(messages.map((m) => [m.role, m.content])).toEqual([
        ["user", "a"],
        ["assistant", "mine"],
      ]);
    });

    test("checkpoints keep a running answer's text, only while it is the running one", async () => {
      const store = await fresh();
      const { id } = await store.create(OWNER);
      await store.beginExchange(OWNER, id, { streamId: "s1", userContent: "q", title: "q" });
      const stored = await store.checkpointAnswers([
        { conversationId: id, streamId: "s1", content: "Once upon" },
        { conversationId: id, streamId: "stale", content: "nope" },
        { conversationId: "missing", streamId: "s1", content: "nope" },
      ]);
      expect(stored).toBe(1);
      await store.close();
      const reopened = await openStore();
      expect((await reopened.get(OWNER, id))?.messages.at(-1)).toMatchObject({
        content: "Once upon",
        status: "interrupted",
      });
    });

    test("an exchange on a missing conversation stores nothing", async () => {
      const store = await fresh();
      expect(await store.beginExchange(OWNER, "missing", { streamId: "s", userContent: "q", title: "q" })).toBe(false);
      expect(await store.finishExchange(OWNER, "missing", complete("s", "a"))).toBe(false);
    });

    test("reopening ends an exchange left running as interrupted, and keeps everything else", async () => {
      const first = await fresh();
      const { id } = await first.create(OWNER, "Kept");
      await first.beginExchange(OWNER, id, { streamId: "s1", userContent: "done?", title: "done?" });
      await first.finishExchange(OWNER, id, complete("s1", "yes"));
      await first.beginExchange(OWNER, id, { streamId: "s2", userContent: "and this?", title: "and this?" });
      await first.close();
      const second = await openStore();
      const conversation = await second.get(OWNER, id);
      expect(conversation?.title).toBe("Kept");
      expect(conversation?.running_stream_id).toBeNull();
      expect(conversation?.messages.map((m) => [m.role, m.content, m.status])).toEqual([
        ["user", "done?", "complete"],
        ["assistant", "yes", "complete"],
        ["user", "and this?", "complete"],
        ["assistant", "", "interrupted"],
      ]);
      expect(await second.recoverInterrupted()).toBe(0);
    });

    if (seedPrevious)
      test("a database of the previous schema: each conversation one branch, nothing lost, recovery too", async () => {
        place = freshDataDir();
        places.push(place);
        await seedPrevious(place);
        await expectMigratedTrees(await openStore());
      });

    describeStoreExtras(fresh);
    describeStoreDocuments(fresh);
    describeStoreTree(fresh);
  });
}
