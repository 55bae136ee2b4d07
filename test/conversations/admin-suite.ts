/**
 * What the admin page reads and writes in the store, as every backend must: every user's
 * activity, and the audit log (appended, read newest first a page at a time). Each backend's test
 * file calls {@link describeAdminStore} with a way to open it (see store-suite.ts).
 */
import { describe, expect, test } from "bun:test";
import { freshStorePerTest } from "./fresh-store.ts";
import type { OpenStore } from "./store-suite.ts";

export function describeAdminStore(backend: string, open: OpenStore): void {
  describe(`ConversationStore admin reads on ${backend}`, () => {
    const fresh = freshStorePerTest(open);

    test("activity: every owner with their conversations, stored bytes (as usage counts them) and last change", async () => {
      const store = await fresh();
      expect(await store.activity()).toEqual([]);
      const { id } = await store.create("bob", "Bob's");
      await store.beginExchange("bob", id, { streamId: "s1", userContent: "héllo", title: "x" });
      await store.finishExchange("bob", id, { streamId: "s1", content: "answer", status: "complete" });
      await store.create("alice");
      await store.create("alice");
      const activity = await store.activity();
      expect(activity.map(({ user, conversations }) => [user, conversations])).toEqual([
        ["alice", 2],
        ["bob", 1],
      ]);
      const bob = activity[1];
      expect(bob?.stored_bytes).toBe((await store.usage("bob")).bytes);
      expect(Date.now() - Date.parse(bob?.last_active_at ?? "")).toBeLessThan(60_000);
    });

    test("the audit log: entries with their details, newest first, paged by id", async () => {
      const store = await fresh();
      const at = Date.now();
      const ids: number[] = [];
      for (const target of ["bob", "carol", "dave"])
        ids.push(
          await store.appendAudit({
            at,
            actor: "alice",
            action: "set_budget",
            target,
            details: { tokens_per_day: 10, note: "é ✓" },
            address: "10.0.0.1",
          }),
        );
      expect(ids[2]).toBeGreaterThan(ids[1] as number);
      const newest = await store.auditLog({ limit: 2 });
      expect(newest.map((entry) => entry.target)).toEqual(["dave", "carol"]);
      expect(newest[0]).toEqual({
        id: ids[2] as number,
        at,
        actor: "alice",
        action: "set_budget",
        target: "dave",
        details: { tokens_per_day: 10, note: "é ✓" },
        address: "10.0.0.1",
      });
      expect((await store.auditLog({ limit: 10, before: newest[1]?.id })).map((entry) => entry.target)).toEqual([
        "bob",
      ]);
      await store.appendAudit({
        at,
        actor: "alice",
        action: "sign_out_everywhere",
        target: null,
        details: {},
        address: null,
      });
      expect((await store.auditLog({ limit: 1 }))[0]).toMatchObject({ target: null, address: null, details: {} });
    });
  });
}
