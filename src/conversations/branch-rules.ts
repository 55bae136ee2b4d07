/**
 * The rules of a branch's own writes, the same on every engine: switching the branch a
 * conversation shows, and deleting one. Each store reads the conversation and its skeleton in its
 * transaction, asks here what to write, and writes it.
 */

import type { ConversationRow } from "./conversation-rows.ts";
import { refuseWhileAnswering } from "./exchange-rules.ts";
import { MessageNotFoundError } from "./store.ts";
import { MessageTree, type TreeNode } from "./tree.ts";

/** The current leaf a switch to `messageId` sets: the newest leaf under it. 404 for a message not in `nodes`. */
export function leafOfSwitch(nodes: readonly TreeNode[], messageId: string): string {
  const tree = new MessageTree(nodes);
  if (!tree.has(messageId)) throw new MessageNotFoundError(messageId);
  return tree.newestLeafUnder(messageId) as string;
}

/**
 * What deleting the branch at `messageId` removes (it and everything under it), and the current
 * leaf after: unchanged unless it was among them, else the newest leaf left under the branch's
 * parent (null when nothing is left). 404 for a message not in `nodes`; 409 while an answer runs.
 */
export function planBranchDelete(
  conversation: ConversationRow,
  nodes: readonly TreeNode[],
  messageId: string,
): { remove: string[]; leaf: string | null } {
  refuseWhileAnswering(conversation);
  const tree = new MessageTree(nodes);
  if (!tree.has(messageId)) throw new MessageNotFoundError(messageId);
  const remove = tree.subtree(messageId);
  const removed = new Set(remove);
  const current = tree.currentLeaf(conversation.current_leaf_id ?? null);
  if (current === null || !removed.has(current)) return { remove, leaf: current };
  const left = new MessageTree(nodes.filter((node) => !removed.has(node.id)));
  const parent = tree.node(messageId)?.parent_id ?? null;
  return { remove, leaf: left.newestLeafUnder(parent !== null && left.has(parent) ? parent : null) };
}
