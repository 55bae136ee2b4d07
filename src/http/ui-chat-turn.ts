/**
 * Where an AI SDK chat request goes in its conversation's tree, from what the SDK sends: a new
 * message after the branch shown (Ask); an edited one (`submit-message` naming the message it
 * replaces: Edit, a new question beside it); `regenerate-message` (a new answer beside the one
 * named). A message the SDK names is a stored one when the app loaded the chat from Sluice;
 * otherwise its id is the SDK's own, and its place in the request's message list, which follows
 * the branch shown, says which stored message it is.
 */
import type { ConversationStore } from "../conversations/store.ts";
import { MessageTree } from "../conversations/tree.ts";
import type { TurnPosition } from "../conversations/turn-thread.ts";
import { ValidationError } from "../errors.ts";
import type { UiChatBody } from "./dialect-schemas.ts";

/** The conversation's tree and the branch it shows, root first. */
async function branchOf(store: ConversationStore, owner: string, chat: string) {
  const found = await store.tree(owner, chat);
  const tree = new MessageTree(found?.nodes ?? []);
  const leaf = found?.conversation.current_leaf_id;
  return { tree, branch: leaf ? tree.pathTo(leaf) : [] };
}

/** The turn `body` asks for in `owner`'s conversation `chat`. */
export async function turnOf(
  store: ConversationStore,
  owner: string,
  chat: string,
  body: UiChatBody,
): Promise<TurnPosition> {
  const named = body.messageId ?? undefined;
  if (body.trigger === "submit-message" && named === undefined) return {};
  const { tree, branch } = await branchOf(store, owner, chat);
  const stored = named === undefined ? undefined : tree.node(named);
  if (body.trigger === "regenerate-message") {
    const question =
      stored?.role === "assistant" && stored.parent_id !== null
        ? stored.parent_id
        : branch.findLast((node) => node.role === "user")?.id;
    if (question === undefined) throw new ValidationError("messageId", "names no answer of this chat to regenerate");
    return { regenerate: question };
  }
  // The edited message is the request's last: its place in the list is its place in the branch.
  const place = body.messages.length - 1;
  const replaced = stored?.role === "user" ? stored : branch[place];
  if (replaced?.role !== "user") return {};
  return { replace: true, parentId: replaced.parent_id };
}
