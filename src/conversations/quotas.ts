/**
 * Per-user quotas on what the conversation store keeps: how many conversations
 * (QUOTA_USER_CONVERSATIONS), and how many bytes of text, images and documents' text (QUOTA_USER_BYTES). They are
 * checked before a new conversation or a new question is stored, against what the user stores
 * then (the store keeps the sums: SQLite's migration 8, PostgreSQL's 7), one check-and-write at
 * a time per user in this process, so parallel requests cannot pass the same check together.
 * An answer is stored whatever its size: a user may end past the quota by one answer, and then
 * stores nothing more until they delete. A share link's snapshot counts as its owner's, and a copy
 * of one ("continue in my chats") as a new conversation of the viewer's.
 */
import { SluiceError } from "../errors.ts";
import type { ConversationStore, ExchangeStart } from "./store.ts";

export interface Quotas {
  /** Conversations one user may keep; 0: no quota. */
  conversations: number;
  /** UTF-8 bytes of text, images and documents' text one user may store; 0: no quota. */
  bytes: number;
}

type QuotaName = "conversations" | "stored_bytes";

/** A quota reached: 429 for the number of conversations, 413 for stored bytes; the body names the quota. */
export class QuotaExceededError extends SluiceError {
  override name = "QuotaExceededError";
  constructor(
    readonly quota: QuotaName,
    readonly limit: number,
    readonly used: number,
  ) {
    super("quota_exceeded", quotaMessage(quota, limit, used), quota === "conversations" ? 429 : 413);
  }

  override toJSON() {
    const { error } = super.toJSON();
    return { error: { ...error, quota: this.quota, limit: this.limit, used: this.used } };
  }
}

function quotaMessage(quota: QuotaName, limit: number, used: number): string {
  if (quota === "conversations")
    return `you keep ${used} conversations, your quota (QUOTA_USER_CONVERSATIONS is ${limit}); delete some to start new ones`;
  const mib = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MiB`;
  return `storing this would take you past your quota of ${mib(limit)} (QUOTA_USER_BYTES; ${mib(used)} stored); delete conversations to make room`;
}

/** The bytes a new question adds: its text, its images and its documents' text. */
function bytesOf(start: ExchangeStart): number {
  // Regenerate and Continue store no question: only their answer, which is never refused.
  if (!("userContent" in start)) return 0;
  const images = (start.images ?? []).reduce((sum, image) => sum + image.data.byteLength, 0);
  const documents = (start.documents ?? []).reduce((sum, document) => sum + utf8Length(document.text), 0);
  return utf8Length(start.userContent) + images + documents;
}

// Counted without encoding a copy: a document's text may be a megabyte.
const utf8Length = (text: string) => Buffer.byteLength(text, "utf8");

/** `store` with its new conversations and questions held to `quotas`; everything else passes through. */
export function quotaStore<S extends ConversationStore>(store: S, quotas: Quotas): S {
  const turns = new Map<string, Promise<unknown>>();
  // One check-and-write at a time per user: the next waits for the previous, whatever its outcome.
  const oneAtATime = <T>(owner: string, work: () => Promise<T>): Promise<T> => {
    const previous = turns.get(owner) ?? Promise.resolve();
    const current = previous.then(work, work);
    const settled = current.catch(() => {});
    turns.set(owner, settled);
    void settled.then(() => turns.get(owner) === settled && turns.delete(owner));
    return current;
  };
  const refusePastConversations = async (owner: string) => {
    if (quotas.conversations === 0) return;
    const { conversations } = await store.usage(owner);
    if (conversations >= quotas.conversations)
      throw new QuotaExceededError("conversations", quotas.conversations, conversations);
  };
  const create: ConversationStore["create"] = (owner, title, id) =>
    oneAtATime(owner, async () => {
      await refusePastConversations(owner);
      return store.create(owner, title, id);
    });
  const beginExchange: ConversationStore["beginExchange"] = (owner, conversationId, start) =>
    oneAtATime(owner, async () => {
      if (quotas.bytes > 0) {
        const { bytes } = await store.usage(owner);
        if (bytes + bytesOf(start) > quotas.bytes) throw new QuotaExceededError("stored_bytes", quotas.bytes, bytes);
      }
      return store.beginExchange(owner, conversationId, start);
    });
  // What a share link or a copy of one adds is known only once the store has read it: the store
  // checks it against the room left (share-snapshot.ts).
  const roomOf = async (owner: string) => {
    if (quotas.bytes === 0) return undefined;
    return { limit: quotas.bytes, used: (await store.usage(owner)).bytes };
  };
  const createShare: ConversationStore["createShare"] = (owner, conversationId) =>
    oneAtATime(owner, async () => store.createShare(owner, conversationId, await roomOf(owner)));
  const copyShare: ConversationStore["copyShare"] = (owner, id) =>
    oneAtATime(owner, async () => {
      await refusePastConversations(owner);
      return store.copyShare(owner, id, await roomOf(owner));
    });
  const replaced: Record<string, unknown> = { create, beginExchange, createShare, copyShare };
  return new Proxy(store, {
    get(target, name) {
      if (typeof name === "string" && name in replaced) return replaced[name];
      // A method keeps its store as `this` (engines hold private fields).
      const value = Reflect.get(target, name, target);
      return typeof value === "function" && !Object.hasOwn(target, name) ? value.bind(target) : value;
    },
  });
}
