/**
 * The tree of a conversation on PostgreSQL: sqlite-tree.ts's reads and branch writes, with the
 * same rules (branch-rules.ts). `octet_length` reads a stored text's size without detoasting it.
 */
import type { Sql } from "postgres";
import { messagesInOrder } from "./attachment-rows.ts";
import { leafOfSwitch, planBranchDelete } from "./branch-rules.ts";
import { toState } from "./conversation-rows.ts";
import type { MessageRow } from "./message-rows.ts";
import { conversationRow, inTransaction, type Queries } from "./postgres-database.ts";
import { documentRefsOf } from "./postgres-documents.ts";
import { rethrowAsStoreError } from "./postgres-errors.ts";
import { imageRefsOf } from "./postgres-images.ts";
import type { ConversationTree, StoredMessage } from "./store.ts";
import type { TreeNode } from "./tree.ts";

function nodesOf(sql: Queries, conversationId: string): Promise<TreeNode[]> {
  return sql<TreeNode[]>`SELECT id, parent_id, role, status, octet_length(content) AS bytes FROM messages
    WHERE conversation_id = ${conversationId} ORDER BY seq`;
}

/** ConversationStore.tree on `sql`. */
export async function treeOf(sql: Sql, owner: string, id: string): Promise<ConversationTree | undefined> {
  const row = await conversationRow(sql, owner, id);
  if (!row) return undefined;
  return { conversation: toState(row), nodes: await nodesOf(sql, id).catch(rethrowAsStoreError) };
}

/** ConversationStore.messages on `sql`. */
export async function messagesOf(sql: Sql, owner: string, id: string, ids: string[]): Promise<StoredMessage[]> {
  if (ids.length === 0 || !(await conversationRow(sql, owner, id))) return [];
  const rows = await sql<MessageRow[]>`SELECT * FROM messages
    WHERE conversation_id = ${id} AND id = ANY(${sql.array(ids)})`.catch(rethrowAsStoreError);
  const images = await imageRefsOf(sql, id, ids).catch(rethrowAsStoreError);
  const documents = await documentRefsOf(sql, id, ids).catch(rethrowAsStoreError);
  return messagesInOrder(ids, rows, images, documents);
}

/** ConversationStore.setCurrentLeaf on `sql`. */
export function setCurrentLeaf(sql: Sql, owner: string, id: string, messageId: string) {
  return inTransaction(sql, async (tx) => {
    if (!(await conversationRow(tx, owner, id, true))) return undefined;
    const leaf = leafOfSwitch(await nodesOf(tx, id), messageId);
    await tx`UPDATE conversations SET current_leaf_id = ${leaf} WHERE id = ${id}`;
    return leaf;
  });
}

/** ConversationStore.deleteBranch on `sql`. */
export function deleteBranch(sql: Sql, owner: string, id: string, messageId: string) {
  return inTransaction(sql, async (tx) => {
    const conversation = await conversationRow(tx, owner, id, true);
    if (!conversation) return false;
    const { remove, leaf } = planBranchDelete(conversation, await nodesOf(tx, id), messageId);
    await tx`DELETE FROM messages WHERE conversation_id = ${id} AND id = ANY(${tx.array(remove)})`;
    await tx`UPDATE conversations SET current_leaf_id = ${leaf}, updated_at = ${Date.now()} WHERE id = ${id}`;
    return true;
  });
}
