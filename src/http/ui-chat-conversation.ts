/**
 * An AI SDK chat id as a Sluice conversation of its caller. Chat ids are the client's (useChat
 * makes them), so two users may send the same one: the conversation's id is derived from the user
 * and the chat id, a UUID no other user's chat can map to, and no client can choose. A chat id
 * that already is one of the caller's conversations (an app that opens Sluice's own conversations
 * in useChat) names that conversation.
 */
import { createHash } from "node:crypto";
import type { ConversationStore } from "../conversations/store.ts";

/** The conversation id of `owner`'s chat `chatId`: a UUID (RFC 9562 version 8) from a SHA-256 of both. */
export function chatConversationId(owner: string, chatId: string): string {
  const bytes = createHash("sha256").update(`sluice-ui-chat\0${owner}\0${chatId}`).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The caller's conversation for `chatId`, if there is one. */
export async function findChatConversation(
  store: ConversationStore,
  owner: string,
  chatId: string,
): Promise<string | undefined> {
  if (await store.exists(owner, chatId)) return chatId;
  const derived = chatConversationId(owner, chatId);
  return (await store.exists(owner, derived)) ? derived : undefined;
}

/** The caller's conversation for `chatId`, made on its first message; `created` when this call made it. */
export async function chatConversation(
  store: ConversationStore,
  owner: string,
  chatId: string,
): Promise<{ id: string; created: boolean }> {
  const found = await findChatConversation(store, owner, chatId);
  if (found) return { id: found, created: false };
  const id = chatConversationId(owner, chatId);
  try {
    await store.create(owner, null, id);
    return { id, created: true };
  } catch (error) {
    // The same chat's first two messages at once: the other one made it.
    if (await store.exists(owner, id)) return { id, created: false };
    throw error;
  }
}
