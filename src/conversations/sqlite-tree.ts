/**
 * The tree of a conversation on SQLite (tree.ts): its skeleton, the messages a read chose, and
 * the branch writes (switching, deleting) with branch-rules.ts's rules. The skeleton's sizes come
 * from `octet_length`, which SQLite answers from the record header without reading the text.
 */
import type { DatabaseSync } from "node:sqlite";
import { messagesInOrder } from "./attachment-rows.ts";
import { leafOfSwitch, planBranchDelete } from "./branch-rules.ts";
import { toState } from "./conversation-rows.ts";
import type { MessageRow } from "./message-rows.ts";
import { conversationRow, forEachSlice, inTransaction } from "./sqlite-database.ts";
import { documentRefsOf } from "./sqlite-documents.ts";
import { imageRefsOf } from "./sqlite-images.ts";
import type { ConversationTree, StoredMessage } from "./store.ts";
import type { TreeNode } from "./tree.ts";

function nodesOf(db: DatabaseSync, conversationId: string): TreeNode[] {
  return db
    .prepare(
      "SELECT id, parent_id, role, status, octet_length(content) AS bytes FROM messages WHERE conversation_id = ? ORDER BY seq",
    )
    .all(conversationId) as unknown as TreeNode[];
}

/** ConversationStore.tree on `db`. */
export function treeOf(db: DatabaseSync, owner: string, id: string): ConversationTree | undefined {
  const row = conversationRow(db, owner, id);
  return row && { conversation: toState(row), nodes: nodesOf(db, id) };
}

/** ConversationStore.messages on `db`. */
export function messagesOf(db: DatabaseSync, owner: string, id: string, ids: string[]): StoredMessage[] {
  if (ids.length === 0 || !conversationRow(db, owner, id)) return [];
  const rows = forEachSlice(
    ids,
    (slice, marks) =>
      db
        .prepare(`SELECT * FROM messages WHERE conversation_id = ? AND id IN (${marks})`)
        .all(id, ...slice) as unknown as MessageRow[],
  );
  return messagesInOrder(ids, rows, imageRefsOf(db, id, ids), documentRefsOf(db, id, ids));
}

/** ConversationStore.setCurrentLeaf on `db`. */
export function setCurrentLeaf(db: DatabaseSync, owner: string, id: string, messageId: string): string | undefined {
  return inTransaction(db, () => {
    if (!conversationRow(db, owner, id)) return undefined;
    const leaf = leafOfSwitch(nodesOf(db, id), messageId);
    db.prepare("UPDATE conversations SET current_leaf_id = ? WHERE id = ?").run(leaf, id);
    return leaf;
  });
}

/** ConversationStore.deleteBranch on `db`. */
export function deleteBranch(db: DatabaseSync, owner: string, id: string, messageId: string): boolean {
  return inTransaction(db, () => {
    const conversation = conversationRow(db, owner, id);
    if (!conversation) return false;
    const { remove, leaf } = planBranchDelete(conversation, nodesOf(db, id), messageId);
    forEachSlice(remove, (slice, marks) => {
      db.prepare(`DELETE FROM messages WHERE conversation_id = ? AND id IN (${marks})`).run(id, ...slice);
      return [];
    });
    db.prepare("UPDATE conversations SET current_leaf_id = ?, updated_at = ? WHERE id = ?").run(leaf, Date.now(), id);
    return true;
  });
}
