/**
 * The documents of questions on PostgreSQL (table message_documents, migration 10): SQLite's
 * sqlite-documents.ts, with the same ownership join.
 */
import type { Sql, TransactionSql } from "postgres";
import type { DocumentRefRow } from "./attachment-rows.ts";
import type { NewDocument, StoredDocument } from "./documents.ts";

/** Stores a question's documents, in sending order, within the exchange's transaction. */
export async function insertDocuments(
  tx: TransactionSql,
  conversationId: string,
  messageId: string,
  documents: NewDocument[],
): Promise<void> {
  for (const [position, document] of documents.entries()) {
    const { id, name, media_type, size, pages, text } = document;
    await tx`INSERT INTO message_documents
        (id, message_id, conversation_id, position, name, media_type, size, pages, characters, text)
      VALUES (${id}, ${messageId}, ${conversationId}, ${position}, ${name}, ${media_type}, ${size}, ${pages},
        ${text.length}, ${text})`;
  }
}

/** The documents of `messageIds` (of `conversationId`), without text, ordered by message and position. */
export function documentRefsOf(
  sql: Sql,
  conversationId: string,
  messageIds: readonly string[],
): Promise<DocumentRefRow[]> {
  return sql<DocumentRefRow[]>`SELECT id, message_id, name, media_type, size, pages, characters
    FROM message_documents
    WHERE conversation_id = ${conversationId} AND message_id = ANY(${sql.array([...messageIds])})
    ORDER BY message_id, position`;
}

// Ownership is checked in the query itself, by the same join on both engines
// (sqlite-documents.ts): a document of another user's conversation is one that does not exist.

/** One document with its text, only when its conversation belongs to `owner`. */
export async function findDocument(
  sql: Sql,
  owner: string,
  conversationId: string,
  documentId: string,
): Promise<StoredDocument | undefined> {
  const [row] = await sql<StoredDocument[]>`
    SELECT d.id, d.message_id, d.name, d.media_type, d.size, d.pages, d.characters, d.text FROM message_documents d
      JOIN conversations c ON c.id = d.conversation_id
    WHERE d.id = ${documentId} AND d.conversation_id = ${conversationId} AND c.owner = ${owner}`;
  return row;
}

/**
 * The documents of `messageIds` (in `owner`'s conversation), in message then sending order, each
 * with at most the first `maxChars` characters of its text (a context never sends more of one).
 */
export async function documentsOfMessages(
  sql: Sql,
  owner: string,
  conversationId: string,
  messageIds: readonly string[],
  maxChars: number,
): Promise<StoredDocument[]> {
  if (messageIds.length === 0) return [];
  // substr() counts characters (code points), each one or two UTF-16 units: never too few.
  const rows = await sql<(StoredDocument & { position: number })[]>`
    SELECT d.id, d.message_id, d.name, d.media_type, d.size, d.pages, d.characters, substr(d.text, 1, ${maxChars}::integer) AS text, d.position
      FROM message_documents d JOIN conversations c ON c.id = d.conversation_id
    WHERE d.conversation_id = ${conversationId} AND c.owner = ${owner} AND d.message_id IN ${sql([...messageIds])}`;
  const order = new Map(messageIds.map((id, index) => [id, index]));
  return rows
    .sort((a, b) => (order.get(a.message_id) ?? 0) - (order.get(b.message_id) ?? 0) || a.position - b.position)
    .map(({ position: _, ...excerpt }) => excerpt);
}
