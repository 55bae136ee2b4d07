/**
 * Share links, as every backend must keep them: a snapshot of the branch shown (nothing else of
 * the owner's), its owner's list, revocation, a viewer's copy, and the quota. Each backend's test
 * file calls {@link describeShares}.
 */
import { describe, expect, test } from "bun:test";
import type { ConversationStore } from "../../src/conversations/store.ts";
import { freshStorePerTest } from "./fresh-store.ts";
import type { OpenStore } from "./store-suite.ts";
import { pngBytes } from "./store-suite-extras.ts";

/** Alice's conversation: a question with an image, two versions of its answer (the second shown). */
async function twoBranches(store: ConversationStore) {
  const { id } = await store.create("alice", "Trip");
  const image = { id: crypto.randomUUID(), media_type: "image/png" as const, data: pngBytes(300) };
  await store.beginExchange("alice", id, { streamId: "s1", userContent: "where to?", title: "Trip", images: [image] });
  await store.finishExchange("alice", id, { streamId: "s1", content: "FIRST-VERSION Lisbon", status: "complete" });
  const question = (await store.get("alice", id))?.messages[0]?.id ?? "";
  await store.beginExchange("alice", id, { streamId: "s2", title: "Trip", answers: question });
  await store.finishExchange("alice", id, { streamId: "s2", content: "SHOWN-VERSION Porto", status: "complete" });
  return { id, image };
}

export function describeShares(backend: string, open: OpenStore): void {
  describe(`share links on ${backend}`, () => {
    const fresh = freshStorePerTest(open);

    test("a snapshot of the branch shown, with its image copied: no other branch, no ids of the owner's", async () => {
      const store = await fresh();
      const { id, image } = await twoBranches(store);
      const share = await store.createShare("alice", id);
      expect(share?.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(share).toMatchObject({ conversation_id: id, title: "Trip", message_count: 2, url: `/s/${share?.id}` });
      const shared = await store.sharedConversation(share?.id ?? "");
      expect(shared?.messages.map((message) => message.content)).toEqual(["where to?", "SHOWN-VERSION Porto"]);
      const text = JSON.stringify(shared);
      for (const secret of ["FIRST-VERSION", "alice", id, image.id]) expect(text).not.toContain(secret);
      const copyId = shared?.messages[0]?.images?.[0]?.id ?? "";
      const copy = await store.sharedImage(share?.id ?? "", copyId);
      expect(copy?.data).toEqual(image.data);
      // The owner's own image id does not name anything under the link.
      expect(await store.sharedImage(share?.id ?? "", image.id)).toBeUndefined();
      // Later messages are not in it.
      await store.beginExchange("alice", id, { streamId: "s3", userContent: "LATER", title: "Trip" });
      expect(JSON.stringify(await store.sharedConversation(share?.id ?? ""))).not.toContain("LATER");
    });

    test("only its owner lists and revokes a link; a revoked link is gone, its images too", async () => {
      const store = await fresh();
      const { id } = await twoBranches(store);
      const share = (await store.createShare("alice", id)) ?? expect.unreachable();
      expect(await store.createShare("bob", id)).toBeUndefined();
      expect(await store.listShares("bob")).toEqual([]);
      expect((await store.listShares("alice")).map((listed) => listed.id)).toEqual([share.id]);
      expect(await store.listShares("alice", "another")).toEqual([]);
      expect(await store.revokeShare("bob", share.id)).toBe(false);
      const imageId = (await store.sharedConversation(share.id))?.messages[0]?.images?.[0]?.id ?? "";
      expect(await store.revokeShare("alice", share.id)).toBe(true);
      expect(await store.sharedConversation(share.id)).toBeUndefined();
      expect(await store.sharedImage(share.id, imageId)).toBeUndefined();
      expect(await store.listShares("alice")).toEqual([]);
    });

    test("deleting the conversation deletes its links", async () => {
      const store = await fresh();
      const { id } = await twoBranches(store);
      const share = (await store.createShare("alice", id)) ?? expect.unreachable();
      await store.delete("alice", id);
      expect(await store.sharedConversation(share.id)).toBeUndefined();
    });

    test("a viewer's copy is a conversation of theirs: one branch, the images copied", async () => {
      const store = await fresh();
      const { id, image } = await twoBranches(store);
      const share = (await store.createShare("alice", id)) ?? expect.unreachable();
      const copy = (await store.copyShare("bob", share.id)) ?? expect.unreachable();
      expect(copy.title).toBe("Trip");
      const mine = await store.get("bob", copy.id);
      expect(mine?.messages.map((message) => [message.role, message.content])).toEqual([
        ["user", "where to?"],
        ["assistant", "SHOWN-VERSION Porto"],
      ]);
      expect(mine?.current_leaf_id).toBe(mine?.messages[1]?.id ?? "");
      const copied = mine?.messages[0]?.images?.[0]?.id ?? "";
      expect((await store.getImage("bob", copy.id, copied))?.data).toEqual(image.data);
      // Alice's conversation is untouched and still hers alone.
      expect(await store.get("bob", id)).toBeUndefined();
      expect(await store.copyShare("bob", "no-such-link")).toBeUndefined();
    });

    test("a link's snapshot counts against its owner's stored bytes; a quota room refuses one that does not fit", async () => {
      const store = await fresh();
      const { id } = await twoBranches(store);
      const before = (await store.usage("alice")).bytes;
      await store.createShare("alice", id);
      const after = (await store.usage("alice")).bytes;
      expect(after).toBeGreaterThan(before + 300);
      const refused = await store.createShare("alice", id, { limit: after + 10, used: after }).catch((e) => e);
      expect(refused).toMatchObject({ code: "quota_exceeded", status: 413 });
      expect(await store.listShares("alice")).toHaveLength(1);
    });
  });
}
