/**
 * The documents of questions on SQLite (table message_documents, migration 11): kept beside the
 * messages, as images are, so reading a thread or searching it never loads their text.
 */
import type { DatabaseSync } from "node:sqlite";
import type { DocumentRefRow } from "./attachment-rows.ts";
import type { NewDocument, StoredDocument } from "./documents.ts";
import { forEachSlice } from "./sqlite-database.ts";

/** Stores a question's documents, in sending order; call inside the exchange's transaction. */
export function insertDocuments(
  db: DatabaseSync,
  conversationId: string,
  messageId: string,
  documents: NewDocument[],
): void {
  const insert = db.prepare(
    `INSERT INTO message_documents
       (id, message_id, conversation_id, position, name, media_type, size, pages, characters, text)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  documents.forEach((document, position) => {
    const { id, name, media_type, size, pages, text } = document;
    insert.run(id, messageId, conversationId, position, name, media_type, size, pages, text.length, text);
  });
}

/** The documents of `messageIds` (of `conversationId`), without text, ordered by message and position. */
export function documentRefsOf(
  db: DatabaseSync,
  conversationId: string,
  messageIds: readonly string[],
): DocumentRefRow[] {
  return forEachSlice(
    messageIds,
    (slice, marks) =>
      db
        .prepare(
          `SELECT id, message_id, name, media_type, size, pages, characters FROM message_documents
            WHERE conversation_id = ? AND message_id IN (${marks}) ORDER BY message_id, position`,
        )
        .all(conversationId, ...slice) as unknown as DocumentRefRow[],
  );
}

// Ownership is checked in the query itself, by the same join on both engines
// (postgres-documents.ts): a document of another user's conversation is one that does not exist.

/** One document with its text, only when its conversation belongs to `owner`. */
export function findDocument(
  db: DatabaseSync,
  owner: string,
  conversationId: string,
  documentId: string,
): StoredDocument | undefined {
  return db
    .prepare(
      `SELECT d.id, d.message_id, d.name, d.media_type, d.size, d.pages, d.characters, d.text FROM message_documents d
         JOIN conversations c ON c.id = d.conversation_id
       WHERE d.id = ? AND d.conversation_id = ? AND c.owner = ?`,
    )
    .get(documentId, conversationId, owner) as StoredDocument | undefined;
}

/**
 * The documents of `messageIds` (in `owner`'s conversation), in message then sending order, each
 * with at most the first `maxChars` characters of its text: a context never sends more of one.
 */
export function documentsOfMessages(
  db: DatabaseSync,
  owner: string,
  conversationId: string,
  messageIds: readonly string[],
  maxChars: number,
): StoredDocument[] {
  // substr() counts characters (code points), each one or two UTF-16 units: never too few.
  const select = db.prepare(
    `SELECT d.id, d.message_id, d.name, d.media_type, d.size, d.pages, d.characters, substr(d.text, 1, ?) AS text FROM message_documents d
       JOIN conversations c ON c.id = d.conversation_id
     WHERE d.conversation_id = ? AND c.owner = ? AND d.message_id = ?
     ORDER BY d.position`,
  );
  return messageIds.flatMap(
    (messageId) => select.all(maxChars, conversationId, owner, messageId) as unknown as StoredDocument[],
  );
}
