/**
 * The behaviour every ConversationStore backend must have, as one suite; each backend's test
 * file calls {@link describeConversationStore} with a way to open it.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import type { ConversationStore } from "../../src/conversations/store.ts";
import { freshDataDir } from "../support/spawn.ts";

/** Opens the backend's store at `place` (a fresh directory per test); opening it again reopens the same data. */
export type OpenStore = (place: string) => Promise<ConversationStore>;

const complete = (streamId: string, content: string) => ({ streamId, content, status: "complete" as const });

export function describeConversationStore(backend: string, open: OpenStore): void {
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
      const created = await store.create();
      expect(created.title).toBeNull();
      expect(Date.parse(created.created_at)).toBeGreaterThan(0);
      expect(await store.get(created.id)).toEqual({ ...created, messages: [], running_stream_id: null });
      expect(await store.exists(created.id)).toBe(true);
      expect(await store.exists("missing")).toBe(false);
      expect(await store.get("missing")).toBeUndefined();
    });

    test("lists most recently updated first, page by page, each conversation once", async () => {
      const store = await fresh();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await store.create(`c${i}`)).id);
      const oldest = ids[0] as string;
      await Bun.sleep(5); // a later updated_at than every create, whatever the clock's resolution
      await store.rename(oldest, "renamed");
      const seen: string[] = [];
      let before: string | undefined;
      for (let page = 0; page < 10; page++) {
        const result = await store.list({ limit: 2, before });
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
      const refused = await store.list({ limit: 2, before: "not-a-cursor" }).catch((error: unknown) => error);
      expect(refused).toMatchObject({ code: "invalid_request", status: 400, field: "before" });
    });

    test("renames and deletes, and reports a missing conversation", async () => {
      const store = await fresh();
      const { id } = await store.create();
      expect((await store.rename(id, "Trip plans"))?.title).toBe("Trip plans");
      expect(await store.rename("missing", "x")).toBeUndefined();
      await store.beginExchange(id, { streamId: "s1", userContent: "hi", title: "hi" });
      expect(await store.delete(id)).toBe(true);
      expect(await store.delete(id)).toBe(false);
      expect(await store.get(id)).toBeUndefined();
      expect((await store.list({ limit: 10 })).conversations).toEqual([]);
    });

    test("an exchange stores the question at once and the answer at the end", async () => {
      const store = await fresh();
      const { id } = await store.create();
      expect(await store.beginExchange(id, { streamId: "s1", userContent: "Hello?", title: "Hello?" })).toBe(true);
      const running = await store.get(id);
      expect(running?.running_stream_id).toBe("s1");
      expect(running?.title).toBe("Hello?");
      expect(running?.messages.map((m) => [m.role, m.content, m.status])).toEqual([["user", "Hello?", "complete"]]);
      expect(await store.finishExchange(id, complete("s1", "Hi there."))).toBe(true);
      const done = await store.get(id);
      expect(done?.running_stream_id).toBeNull();
      expect(done?.messages.map((m) => [m.role, m.content, m.status])).toEqual([
        ["user", "Hello?", "complete"],
        ["assistant", "Hi there.", "complete"],
      ]);
      expect(done?.messages[1]?.error).toBeUndefined();
    });

    test("keeps the first title, and a title the user gave", async () => {
      const store = await fresh();
      const { id } = await store.create();
      await store.beginExchange(id, { streamId: "s1", userContent: "first", title: "first" });
      await store.finishExchange(id, complete("s1", "one"));
      await store.beginExchange(id, { streamId: "s2", userContent: "second", title: "second" });
      expect((await store.get(id))?.title).toBe("first");
      const named = await store.create("Named");
      await store.beginExchange(named.id, { streamId: "s3", userContent: "q", title: "q" });
      expect((await store.get(named.id))?.title).toBe("Named");
    });

    test("stores cancelled and failed answers with their error", async () => {
      const store = await fresh();
      const { id } = await store.create();
      await store.beginExchange(id, { streamId: "s1", userContent: "a", title: "a" });
      await store.finishExchange(id, { streamId: "s1", content: "par", status: "cancelled" });
      await store.beginExchange(id, { streamId: "s2", userContent: "b", title: "b" });
      const error = { code: "upstream_unavailable", message: "the model is down", retryable: true };
      await store.finishExchange(id, { streamId: "s2", content: "", status: "error", error });
      const messages = (await store.get(id))?.messages ?? [];
      expect(messages.map((m) => m.status)).toEqual(["complete", "cancelled", "complete", "error"]);
      expect(messages[1]?.content).toBe("par");
      expect(messages[3]?.error).toEqual(error);
    });

    test("sending the same question after a failed answer replaces that answer (Retry)", async () => {
      const store = await fresh();
      const { id } = await store.create();
      const error = { code: "upstream_timeout", message: "no first token", retryable: true };
      await store.beginExchange(id, { streamId: "s1", userContent: "q", title: "q" });
      await store.finishExchange(id, { streamId: "s1", content: "", status: "error", error });
      await store.beginExchange(id, { streamId: "s2", userContent: "q", title: "q" });
      await store.finishExchange(id, complete("s2", "answer"));
      const messages = (await store.get(id))?.messages ?? [];
      expect(messages.map((m) => [m.role, m.content, m.status])).toEqual([
        ["user", "q", "complete"],
        ["assistant", "answer", "complete"],
      ]);
    });

    test("a second exchange while one runs is refused (409 conversation_busy), and stores nothing", async () => {
      const store = await fresh();
      const { id } = await store.create();
      await store.beginExchange(id, { streamId: "s1", userContent: "a", title: "a" });
      const second = store.beginExchange(id, { streamId: "s2", userContent: "b", title: "b" });
      expect(await second.catch((error: unknown) => error)).toMatchObject({ code: "conversation_busy", status: 409 });
      expect((await store.get(id))?.running_stream_id).toBe("s1");
      await store.finishExchange(id, complete("s1", "mine"));
      const messages = (await store.get(id))?.messages ?? [];
      expect(messages.map((m) => [m.role, m.content])).toEqual([
        ["user", "a"],
        ["assistant", "mine"],
      ]);
    });

    test("checkpoints keep a running answer's text, only while it is the running one", async () => {
      const store = await fresh();
      const { id } = await store.create();
      await store.beginExchange(id, { streamId: "s1", userContent: "q", title: "q" });
      const stored = await store.checkpointAnswers([
        { conversationId: id, streamId: "s1", content: "Once upon" },
        { conversationId: id, streamId: "stale", content: "nope" },
        { conversationId: "missing", streamId: "s1", content: "nope" },
      ]);
      expect(stored).toBe(1);
      await store.close();
      const reopened = await openStore();
      expect((await reopened.get(id))?.messages.at(-1)).toMatchObject({ content: "Once upon", status: "interrupted" });
    });

    test("an exchange on a missing conversation stores nothing", async () => {
      const store = await fresh();
      expect(await store.beginExchange("missing", { streamId: "s", userContent: "q", title: "q" })).toBe(false);
      expect(await store.finishExchange("missing", complete("s", "a"))).toBe(false);
    });

    test("reopening ends an exchange left running as interrupted, and keeps everything else", async () => {
      const first = await fresh();
      const { id } = await first.create("Kept");
      await first.beginExchange(id, { streamId: "s1", userContent: "done?", title: "done?" });
      await first.finishExchange(id, complete("s1", "yes"));
      await first.beginExchange(id, { streamId: "s2", userContent: "and this?", title: "and this?" });
      await first.close();
      const second = await openStore();
      const conversation = await second.get(id);
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
  });
}
