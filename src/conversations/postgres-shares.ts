/**
 * Share links on PostgreSQL (migration 11): sqlite-shares.ts's statements, images in BYTEA.
 */
import type { Sql } from "postgres";
import { insertMessage, inTransaction } from "./postgres-database.ts";
import { rethrowAsStoreError } from "./postgres-errors.ts";
import { insertImages } from "./postgres-images.ts";
import { searchWords } from "./search-words.ts";
import type { ShareCopy } from "./share-snapshot.ts";
import type { NewShare, SharedImage, ShareRow } from "./shares.ts";

/** Stores `share` for `owner`, if the conversation is still theirs; false when it is not. */
export function insertShare(sql: Sql, owner: string, share: NewShare): Promise<boolean> {
  return inTransaction(sql, async (tx) => {
    const { id, conversation_id, title, created_at, message_count, bytes, messages } = share;
    const inserted = await tx`
      INSERT INTO shares (id, owner, conversation_id, title, created_at, message_count, bytes, messages)
      SELECT ${id}, ${owner}, ${conversation_id}, ${title}, ${created_at}, ${message_count}, ${bytes}, ${messages}
      WHERE EXISTS (SELECT 1 FROM conversations WHERE id = ${conversation_id} AND owner = ${owner})`;
    if (inserted.count === 0) return false;
    for (const image of share.images) {
      const data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
      await tx`INSERT INTO share_images (share_id, id, media_type, size, data)
        VALUES (${id}, ${image.id}, ${image.media_type}, ${data.byteLength}, ${data})`;
    }
    return true;
  });
}

/** `owner`'s links (of one conversation, when given), newest first, without their snapshots. */
export function listShares(sql: Sql, owner: string, conversationId?: string): Promise<Omit<ShareRow, "messages">[]> {
  return sql<Omit<ShareRow, "messages">[]>`
    SELECT id, owner, conversation_id, title, created_at, message_count, bytes FROM shares
    WHERE owner = ${owner} ${conversationId === undefined ? sql`` : sql`AND conversation_id = ${conversationId}`}
    ORDER BY created_at DESC, id DESC`.catch(rethrowAsStoreError);
}

/** Deletes `owner`'s link `id` (its images go with it); false when they have none such. */
export async function revokeShare(sql: Sql, owner: string, id: string): Promise<boolean> {
  const result = await sql`DELETE FROM shares WHERE id = ${id} AND owner = ${owner}`.catch(rethrowAsStoreError);
  return result.count > 0;
}

/** Link `id`, whoever holds it. */
export async function shareRow(sql: Sql, id: string): Promise<ShareRow | undefined> {
  const [row] = await sql<ShareRow[]>`SELECT * FROM shares WHERE id = ${id}`.catch(rethrowAsStoreError);
  return row;
}

const withBytes = (row: SharedImage): SharedImage => ({ ...row, data: new Uint8Array(row.data) });

/** One image of link `id`'s snapshot. */
export async function sharedImage(sql: Sql, id: string, imageId: string): Promise<SharedImage | undefined> {
  const [row] = await sql<SharedImage[]>`
    SELECT id, media_type, data FROM share_images WHERE share_id = ${id} AND id = ${imageId}`.catch(
    rethrowAsStoreError,
  );
  return row && withBytes(row);
}

/** Every image of link `id`'s snapshot. */
export async function shareImages(sql: Sql, id: string): Promise<SharedImage[]> {
  const rows = await sql<SharedImage[]>`
    SELECT id, media_type, data FROM share_images WHERE share_id = ${id}`.catch(rethrowAsStoreError);
  return rows.map(withBytes);
}

/** Writes a viewer's copy: their new conversation, its messages as one branch, and their images. */
export function writeCopy(sql: Sql, owner: string, copy: ShareCopy): Promise<void> {
  return inTransaction(sql, async (tx) => {
    const { id, title, created_at, updated_at, current_leaf_id } = copy.conversation;
    await tx`INSERT INTO conversations (id, owner, title, title_words, created_at, updated_at, current_leaf_id)
      VALUES (${id}, ${owner}, ${title}, ${searchWords(title)}, ${created_at}, ${updated_at}, ${current_leaf_id ?? null})`;
    for (const message of copy.messages) {
      await insertMessage(tx, message);
      await insertImages(tx, id, message.id, copy.images.get(message.id) ?? []);
    }
  });
}
