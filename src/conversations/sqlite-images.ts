/**
 * The images of questions on SQLite (table message_images, migration 7): kept beside the messages
 * so that reading a thread for the model's context or for search never loads image bytes.
 */
import type { DatabaseSync } from "node:sqlite";
import type { ImageRefRow } from "./attachment-rows.ts";
import type { NewImage, StoredImage } from "./images.ts";
import { forEachSlice } from "./sqlite-database.ts";

/** Stores a question's images, in sending order; call inside the exchange's transaction. */
export function insertImages(db: DatabaseSync, conversationId: string, messageId: string, images: NewImage[]): void {
  const insert = db.prepare(
    `INSERT INTO message_images (id, message_id, conversation_id, position, media_type, size, data)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  images.forEach((image, position) => {
    insert.run(image.id, messageId, conversationId, position, image.media_type, image.data.byteLength, image.data);
  });
}

/** The images of `messageIds` (of `conversationId`), without bytes, ordered by message and position. */
export function imageRefsOf(db: DatabaseSync, conversationId: string, messageIds: readonly string[]): ImageRefRow[] {
  return forEachSlice(
    messageIds,
    (slice, marks) =>
      db
        .prepare(
          `SELECT id, message_id, media_type, size FROM message_images
            WHERE conversation_id = ? AND message_id IN (${marks}) ORDER BY message_id, position`,
        )
        .all(conversationId, ...slice) as unknown as ImageRefRow[],
  );
}

// node:sqlite returns a BLOB as a Uint8Array of its own on Bun and Deno alike; copied should one
// ever share its buffer, since the worker hands the buffer over whole (sqlite-worker-thread.ts).
const withBytes = (row: StoredImage): StoredImage =>
  row.data.byteOffset === 0 && row.data.byteLength === row.data.buffer.byteLength
    ? row
    : { ...row, data: new Uint8Array(row.data) };

// Ownership is checked in the query itself, by the same join on both engines
// (postgres-images.ts): an image of another user's conversation is one that does not exist.

/** One image, only when its conversation belongs to `owner`. */
export function findImage(
  db: DatabaseSync,
  owner: string,
  conversationId: string,
  imageId: string,
): StoredImage | undefined {
  const row = db
    .prepare(
      `SELECT i.id, i.message_id, i.media_type, i.data FROM message_images i
         JOIN conversations c ON c.id = i.conversation_id
       WHERE i.id = ? AND i.conversation_id = ? AND c.owner = ?`,
    )
    .get(imageId, conversationId, owner) as StoredImage | undefined;
  return row && withBytes(row);
}

/** The images of `messageIds` (in `owner`'s conversation) with their bytes, in message then sending order. */
export function imagesOfMessages(
  db: DatabaseSync,
  owner: string,
  conversationId: string,
  messageIds: string[],
): StoredImage[] {
  const select = db.prepare(
    `SELECT i.id, i.message_id, i.media_type, i.data FROM message_images i
       JOIN conversations c ON c.id = i.conversation_id
     WHERE i.conversation_id = ? AND c.owner = ? AND i.message_id = ?
     ORDER BY i.position`,
  );
  return messageIds.flatMap((messageId) =>
    (select.all(conversationId, owner, messageId) as unknown as StoredImage[]).map(withBytes),
  );
}
