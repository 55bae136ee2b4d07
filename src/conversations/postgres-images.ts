/**
 * The images of questions on PostgreSQL (table message_images, migration 5): SQLite's
 * sqlite-images.ts, with the bytes in BYTEA.
 */
import type { Sql, TransactionSql } from "postgres";
import type { ImageRefRow } from "./attachment-rows.ts";
import type { NewImage, StoredImage } from "./images.ts";

/** Stores a question's images, in sending order, within the exchange's transaction. */
export async function insertImages(
  tx: TransactionSql,
  conversationId: string,
  messageId: string,
  images: NewImage[],
): Promise<void> {
  for (const [position, image] of images.entries()) {
    // A Buffer view of the same bytes: the client sends a Buffer as BYTEA.
    const data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
    await tx`INSERT INTO message_images (id, message_id, conversation_id, position, media_type, size, data)
      VALUES (${image.id}, ${messageId}, ${conversationId}, ${position}, ${image.media_type}, ${data.byteLength}, ${data})`;
  }
}

/** The images of `messageIds` (of `conversationId`), without bytes, ordered by message and position. */
export function imageRefsOf(sql: Sql, conversationId: string, messageIds: readonly string[]): Promise<ImageRefRow[]> {
  return sql<ImageRefRow[]>`SELECT id, message_id, media_type, size FROM message_images
    WHERE conversation_id = ${conversationId} AND message_id = ANY(${sql.array([...messageIds])})
    ORDER BY message_id, position`;
}

const withBytes = (row: StoredImage): StoredImage => ({ ...row, data: new Uint8Array(row.data) });

// Ownership is checked in the query itself, by the same join on both engines
// (sqlite-images.ts): an image of another user's conversation is one that does not exist.

/** One image, only when its conversation belongs to `owner`. */
export async function findImage(
  sql: Sql,
  owner: string,
  conversationId: string,
  imageId: string,
): Promise<StoredImage | undefined> {
  const [row] = await sql<StoredImage[]>`
    SELECT i.id, i.message_id, i.media_type, i.data FROM message_images i
      JOIN conversations c ON c.id = i.conversation_id
    WHERE i.id = ${imageId} AND i.conversation_id = ${conversationId} AND c.owner = ${owner}`;
  return row && withBytes(row);
}

/** The images of `messageIds` (in `owner`'s conversation) with their bytes, in message then sending order. */
export async function imagesOfMessages(
  sql: Sql,
  owner: string,
  conversationId: string,
  messageIds: string[],
): Promise<StoredImage[]> {
  if (messageIds.length === 0) return [];
  const rows = await sql<StoredImage[]>`
    SELECT i.id, i.message_id, i.media_type, i.data FROM message_images i
      JOIN conversations c ON c.id = i.conversation_id
    WHERE i.conversation_id = ${conversationId} AND c.owner = ${owner} AND i.message_id IN ${sql(messageIds)}
    ORDER BY i.position`;
  const order = new Map(messageIds.map((id, index) => [id, index]));
  return rows.map(withBytes).sort((a, b) => (order.get(a.message_id) ?? 0) - (order.get(b.message_id) ?? 0));
}
