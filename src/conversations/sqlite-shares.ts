/**
 * Share links on SQLite (tables shares and share_images, migration 12): the snapshot's row and
 * its images' copies, the owner's list, revocation, what a link's viewer reads, and a viewer's
 * copy. postgres-shares.ts is the same on PostgreSQL; share-snapshot.ts builds what both write.
 */
import type { DatabaseSync } from "node:sqlite";
import type { ShareCopy } from "./share-snapshot.ts";
import type { NewShare, SharedImage, ShareRow } from "./shares.ts";
import { insertMessage, inTransaction } from "./sqlite-database.ts";
import { insertImages } from "./sqlite-images.ts";

/** Stores `share` for `owner`, if the conversation is still theirs; false when it is not. */
export function insertShare(db: DatabaseSync, owner: string, share: NewShare): boolean {
  const { id, conversation_id, title, created_at, message_count, bytes, messages } = share;
  return inTransaction(db, () => {
    const inserted = db
      .prepare(
        `INSERT INTO shares (id, owner, conversation_id, title, created_at, message_count, bytes, messages)
         SELECT :id, :owner, :conversation_id, :title, :created_at, :message_count, :bytes, :messages
         WHERE EXISTS (SELECT 1 FROM conversations WHERE id = :conversation_id AND owner = :owner)`,
      )
      .run({ id, owner, conversation_id, title, created_at, message_count, bytes, messages });
    if (inserted.changes === 0) return false;
    const image = db.prepare("INSERT INTO share_images (share_id, id, media_type, size, data) VALUES (?, ?, ?, ?, ?)");
    for (const { id, media_type, data } of share.images) image.run(share.id, id, media_type, data.byteLength, data);
    return true;
  });
}

/** `owner`'s links (of one conversation, when given), newest first, without their snapshots. */
export function listShares(db: DatabaseSync, owner: string, conversationId?: string): Omit<ShareRow, "messages">[] {
  return db
    .prepare(
      `SELECT id, owner, conversation_id, title, created_at, message_count, bytes FROM shares
       WHERE owner = :owner AND (:conversation IS NULL OR conversation_id = :conversation)
       ORDER BY created_at DESC, id DESC`,
    )
    .all({ owner, conversation: conversationId ?? null }) as unknown as Omit<ShareRow, "messages">[];
}

/** Deletes `owner`'s link `id` (its images go with it); false when they have none such. */
export function revokeShare(db: DatabaseSync, owner: string, id: string): boolean {
  return db.prepare("DELETE FROM shares WHERE id = ? AND owner = ?").run(id, owner).changes > 0;
}

/** Link `id`, whoever holds it. */
export function shareRow(db: DatabaseSync, id: string): ShareRow | undefined {
  return db.prepare("SELECT * FROM shares WHERE id = ?").get(id) as ShareRow | undefined;
}

// node:sqlite returns a BLOB as a Uint8Array; copied so it owns its bytes.
const withBytes = (row: SharedImage): SharedImage => ({ ...row, data: new Uint8Array(row.data) });

/** One image of link `id`'s snapshot. */
export function sharedImage(db: DatabaseSync, id: string, imageId: string): SharedImage | undefined {
  const row = db
    .prepare("SELECT id, media_type, data FROM share_images WHERE share_id = ? AND id = ?")
    .get(id, imageId) as SharedImage | undefined;
  return row && withBytes(row);
}

/** Every image of link `id`'s snapshot. */
export function shareImages(db: DatabaseSync, id: string): SharedImage[] {
  const rows = db.prepare("SELECT id, media_type, data FROM share_images WHERE share_id = ?").all(id);
  return (rows as unknown as SharedImage[]).map(withBytes);
}

/** Writes a viewer's copy: their new conversation, its messages as one branch, and their images. */
export function writeCopy(db: DatabaseSync, owner: string, copy: ShareCopy): void {
  inTransaction(db, () => {
    const { conversation } = copy;
    db.prepare(
      `INSERT INTO conversations (id, owner, title, created_at, updated_at, current_leaf_id)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ).run(
      conversation.id,
      owner,
      conversation.title,
      conversation.created_at,
      conversation.updated_at,
      conversation.current_leaf_id ?? null,
    );
    for (const message of copy.messages) {
      insertMessage(db, message);
      insertImages(db, conversation.id, message.id, copy.images.get(message.id) ?? []);
    }
  });
}
